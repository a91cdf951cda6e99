"""Recommendation: the ONNX session model and its fallbacks fill "Up next"."""
