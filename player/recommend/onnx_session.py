"""The one owner of an ONNX Runtime session: provider choice, quiet logging, few threads.

The player never imports torch; a model reaches it as an ONNX file (DESIGN.md, contract 3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as OrtNotImplemented

from player.errors import ModelError

PREFERRED_PROVIDERS = (
    "CUDAExecutionProvider",
    "DmlExecutionProvider",  # DirectML on Windows
    "CoreMLExecutionProvider",  # macOS
    "CPUExecutionProvider",
)
"""In order of preference; TensorRT is left out (its engine build takes minutes on first use)."""

QUIET = 3  # ORT severity "error"
SILENT = 4  # "fatal" only: while probing an accelerator, a missing CUDA library is an error ORT
# would print although it is expected (the session then falls back to the CPU)

PROVIDER_NAMES = {
    "CUDAExecutionProvider": "CUDA",
    "DmlExecutionProvider": "DirectML",
    "CoreMLExecutionProvider": "CoreML",
    "CPUExecutionProvider": "CPU",
}


def candidate_providers(available: list[str] | None = None) -> list[str]:
    """The preferred providers this onnxruntime build offers, best first, CPU always last."""
    available = ort.get_available_providers() if available is None else available
    chosen = [p for p in PREFERRED_PROVIDERS if p in available and p != "CPUExecutionProvider"]
    return [*chosen, "CPUExecutionProvider"]


def _options(threads: int, severity: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = severity
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return options


class OnnxSession:
    """An inference session on the best provider that actually works here.

    A provider is "in use" only if the created session reports it: onnxruntime-gpu lists CUDA
    even on a machine without the CUDA libraries, and then silently runs on the CPU. Each
    accelerator is tried alone (with CPU behind it) and the first that sticks is kept.

    Parameters
    ----------
    model : Path or bytes
        The ONNX file (or its bytes).
    threads : int
        Intra-op threads; one or two keep inference from starving the audio decoder.
    providers : list of str, optional
        Override the preference order (tests use ``["CPUExecutionProvider"]``).
    """

    def __init__(
        self, model: Path | bytes, *, threads: int = 1, providers: list[str] | None = None
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        source = str(model) if isinstance(model, Path) else model
        last_error: Exception | None = None
        try:
            for provider in providers or candidate_providers():
                cpu = provider == "CPUExecutionProvider"
                options = _options(threads, QUIET if cpu else SILENT)
                ort.set_default_logger_severity(QUIET if cpu else SILENT)
                chain = [provider] if cpu else [provider, "CPUExecutionProvider"]
                try:
                    session = ort.InferenceSession(source, sess_options=options, providers=chain)
                except Exception as exc:  # onnxruntime raises unrelated types for one cause
                    last_error = exc
                    continue
                if session.get_providers()[0] == provider:
                    self.session = session
                    self.provider = provider
                    return
        finally:
            ort.set_default_logger_severity(QUIET)
        name = model.name if isinstance(model, Path) else "model"
        if isinstance(last_error, OrtNotImplemented):  # ONNX Runtime's NOT_IMPLEMENTED status
            raise ModelError(
                f"The model file {name} needs a newer onnxruntime",
                f"it uses an operation onnxruntime {ort.__version__} cannot run: {last_error}",
            )
        raise ModelError(
            f"The model file {name} is damaged or not an ONNX model",
            f"onnxruntime cannot load it: {last_error}",
        )

    @property
    def provider_name(self) -> str:
        """ "CUDA", "CPU", …: what the status bar and the About box show."""
        return PROVIDER_NAMES.get(self.provider, self.provider)

    def metadata(self) -> dict[str, str]:
        """The model's ``metadata_props``."""
        return dict(self.session.get_modelmeta().custom_metadata_map)

    def input_types(self) -> dict[str, str]:
        """``name -> "tensor(int64)"`` of every input."""
        return {i.name: i.type for i in self.session.get_inputs()}

    def input_ranks(self) -> dict[str, int]:
        return {i.name: len(i.shape) for i in self.session.get_inputs()}

    def output_names(self) -> list[str]:
        return [o.name for o in self.session.get_outputs()]

    def run(self, outputs: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The ``outputs`` named (all of them, in the model's order, for None) for ``feeds``."""
        return self.session.run(outputs, feeds)
