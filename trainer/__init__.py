"""Continuo's trainer: listening histories in, an ONNX session model out (PyTorch lives here only)."""
