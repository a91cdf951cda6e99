"""Decoding for analysis: soundfile blocks → mono → 22,050 Hz, streamed in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from player.errors import AudioError
from player.fspath import native

ANALYSIS_SR = 22_050
"""Every analysis runs at this rate: enough for C8 (4,186 Hz) and its first harmonics."""


def stream_mono(
    path: Path | str, *, sr: int = ANALYSIS_SR, block_s: float = 10.0
) -> Iterator[np.ndarray]:
    """Yield the file as consecutive mono float32 blocks at ``sr``.

    The resampler keeps its state between blocks (``soxr.ResampleStream``), so the
    concatenated blocks equal a one-shot resampling of the whole file without any seam,
    while memory stays at one block whatever the file's length.

    Parameters
    ----------
    path : file readable by libsndfile (WAV, FLAC, Ogg, MP3 …)
    sr : target sample rate in Hz, > 0
    block_s : seconds of source audio read at a time, > 0

    Yields
    ------
    block : np.ndarray [shape=(n,), dtype=float32]

    Raises
    ------
    AudioError
        The file is missing, or cannot be opened or decoded (the detail names the file).
    """
    if sr <= 0:
        raise ValueError(f"sr must be positive, got {sr}")
    if block_s <= 0:
        raise ValueError(f"block_s must be positive, got {block_s}")
    if not Path(path).is_file():
        raise AudioError("file not found", f"{path} does not exist or is not a file.")
    try:
        with sf.SoundFile(native(path)) as f:
            source_sr = f.samplerate
            stream = None if source_sr == sr else soxr.ResampleStream(source_sr, sr, 1, "float32")
            blocksize = max(1, int(block_s * source_sr))
            while True:
                block = f.read(blocksize, dtype="float32", always_2d=True)
                last = len(block) < blocksize
                mono = _downmix(block)
                out = mono if stream is None else stream.resample_chunk(mono, last=last)
                if len(out):
                    yield np.ascontiguousarray(out, dtype=np.float32)
                if last:
                    return
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(
            "cannot be decoded", f"{path}: {exc}. The file is damaged or in an unsupported format."
        ) from exc


def _downmix(block: np.ndarray) -> np.ndarray:
    """The channels' mean, (n, channels) float32 → (n,), as ``block.mean(axis=1)`` gives it.

    Summed channel by channel: numpy's reduction along a short, strided axis costs about as
    much as decoding the FLAC (0.9 ms against 0.05 ms per second of stereo audio, measured).
    """
    if block.shape[1] == 1:
        return block[:, 0]
    mono = block[:, 0].copy()
    for channel in range(1, block.shape[1]):
        mono += block[:, channel]
    mono /= np.float32(block.shape[1])
    return mono
