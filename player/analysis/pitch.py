"""Frame-wise pitch (f0) from the short-term autocorrelation, seed paper §2.3.3.

The paper detects each frame's pitch period with the short-term autocorrelation function
(its equation 3) and then uses the frame-shift method against octave errors; the second step
lives in :mod:`player.analysis.octave`. Here every frame's autocorrelation is computed at once
with FFTs and turned into YIN's cumulative-mean-normalised difference function (de Cheveigné &
Kawahara 2002), whose dips are the period candidates.

Why YIN's normalisation rather than a normalised ACF: the difference function
``d(τ) = e(0) + e(τ) − 2 r(τ)`` is the autocorrelation ``r`` corrected by the energies of the two
windows it compares, so a crescendo or a decaying piano note does not bias it towards short lags
the way a plain ACF is biased; and its cumulative-mean normalisation gives every dip a value on
one scale (0 for a perfectly periodic frame, about 1 for noise) that serves directly as the
aperiodicity of a candidate, as its voicing evidence and as the local cost of the Viterbi path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft

from player.analysis import octave

_CHUNK_FRAMES = 512  # frames per FFT block: bounds memory (a few MB) on long recordings
_SILENCE_DB = -60.0  # frames this far below the loudest frame (or below -80 dBFS) are unvoiced
_N_CANDIDATES = 5  # deepest dips kept per frame, before half/double periods are added
_YIN_THRESHOLD = 0.1  # plain YIN: the first dip below this is the period
_BAND = 0.38  # of the analysis rate: the band whose harmonics the spectral checks read


@dataclass(frozen=True)
class PitchTrack:
    """An f0 track: one value a frame, 0.0 where the frame is unvoiced."""

    f0_hz: np.ndarray  # (n_frames,) float32, 0.0 where unvoiced
    voiced_prob: np.ndarray  # (n_frames,) float32 in [0, 1]: 1 − aperiodicity of the chosen dip
    hop_s: float  # seconds between frame centres
    sample_rate: int  # of the signal the track was computed from

    @property
    def voiced(self) -> np.ndarray:
        """Boolean voicing decision per frame, shape (n_frames,)."""
        return self.f0_hz > 0

    def times(self) -> np.ndarray:
        """Frame centre times in seconds, shape (n_frames,); frame 0 is centred on sample 0."""
        return np.arange(len(self.f0_hz)) * self.hop_s


def _validate(
    y: np.ndarray, sr: int, hop_length: int, frame_length: int, fmin: float, fmax: float
) -> None:
    if not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ValueError(f"sr must be a positive integer, got sr={sr!r}")
    if not isinstance(hop_length, (int, np.integer)) or hop_length <= 0:
        raise ValueError(f"hop_length must be a positive integer, got hop_length={hop_length!r}")
    if not isinstance(frame_length, (int, np.integer)) or frame_length <= 0:
        raise ValueError(
            f"frame_length must be a positive integer, got frame_length={frame_length!r}"
        )
    if not np.isfinite(fmin) or fmin <= 0:
        raise ValueError(f"fmin must be a positive frequency in Hz, got fmin={fmin!r}")
    if not np.isfinite(fmax) or not fmin < fmax < sr / 2:
        raise ValueError(
            f"fmax must lie between fmin={fmin} and the Nyquist frequency {sr / 2}, got fmax={fmax!r}"
        )
    if 2 * int(np.ceil(sr / fmin)) + 2 > frame_length:
        need = 2 * int(np.ceil(sr / fmin)) + 2
        raise ValueError(
            f"frame_length={frame_length} is too short for fmin={fmin} Hz at sr={sr}: "
            f"a frame must hold two periods ({need} samples)"
        )
    if y.ndim != 1:
        raise ValueError(f"y must be mono, shape (n_samples,), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinite samples")


def _framing(
    y: np.ndarray, *, hop_length: int, frame_length: int, win_length: int, n_lags: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames, the energies YIN needs, and each frame's loudness; views, not copies.

    Returns
    -------
    frames : np.ndarray, shape (n_frames, frame_length)
    energy : np.ndarray, shape (n_frames, n_lags)
        ``energy[t, τ]``: the energy of the ``win_length`` samples from lag ``τ`` of frame ``t``,
        from one cumulative sum over the whole signal instead of one per frame.
    db : np.ndarray, shape (n_frames,)
        Frame loudness in dBFS.
    """
    # frame t starts win_length/2 before t·hop, so the compared windows [0, W) and [τ, τ + W)
    # are centred on t (within τ/2), not 23 ms early as with a frame centred on t
    lead = win_length // 2
    y_pad = np.pad(y.astype(np.float32, copy=False), (lead, frame_length - lead))
    starts = np.arange(1 + len(y) // hop_length) * hop_length
    every = slice(0, len(starts) * hop_length, hop_length)  # a slice keeps the strided view
    frames = np.lib.stride_tricks.sliding_window_view(y_pad, frame_length)[every]
    cum = np.concatenate([[0.0], np.cumsum(np.square(y_pad, dtype=np.float64))])
    window_energy = (cum[win_length:] - cum[:-win_length]).astype(np.float32)
    energy = np.lib.stride_tricks.sliding_window_view(window_energy, n_lags)[every]
    mean_sq = (cum[starts + frame_length] - cum[starts]) / frame_length
    return frames, energy, 10.0 * np.log10(np.maximum(mean_sq, 1e-20))


def _cmnd(
    frames: np.ndarray, spec: np.ndarray, energy: np.ndarray, *, win_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """YIN's cumulative-mean-normalised difference of each frame, by FFT.

    ``d(τ) = e(0) + e(τ) − 2 r(τ)`` with ``r`` the correlation of the frame's first
    ``win_length`` samples with the whole frame; ``win_length + τ_max`` stays below the frame
    length, so the circular correlation of FFT size ``frame_length`` never wraps.

    Parameters
    ----------
    frames : np.ndarray, shape (n, frame_length)
    spec : np.ndarray, shape (n, frame_length // 2 + 1)
        ``rfft`` of the frames (shared with the spectral checks: one FFT fewer per frame).
    energy : np.ndarray, shape (n, n_lags)
        From :func:`_framing`.

    Returns
    -------
    dprime : np.ndarray, shape (n, n_lags), float32
        ``d'(τ)``, with ``d'(0) = 1``; a silent frame gives 1 everywhere (no evidence of a period).
    diff : np.ndarray, shape (n, n_lags), float32
        The raw difference ``d(τ)``, on which dips are interpolated.
    """
    n_fft, n_lags = frames.shape[1], energy.shape[1]
    cross = sfft.rfft(frames[:, :win_length], n=n_fft, axis=1)
    np.conjugate(cross, out=cross)
    cross *= spec
    acf = sfft.irfft(cross, n=n_fft, axis=1)[:, :n_lags]
    diff = energy[:, :1] + energy - 2.0 * acf
    np.maximum(diff, 0.0, out=diff)
    cum = np.cumsum(diff[:, 1:], axis=1)
    dprime = np.ones_like(diff)
    with np.errstate(invalid="ignore", divide="ignore"):
        dprime[:, 1:] = diff[:, 1:] * np.arange(1, n_lags, dtype=np.float32) / cum
    dprime[~np.isfinite(dprime)] = 1.0
    return dprime, diff


def _hann_power(spec: np.ndarray, n_bins: int) -> np.ndarray:
    """Power of the lowest ``n_bins`` bins of the frames under a (periodic) Hann window, from
    their plain ``rfft`` (``n_bins`` < the spectrum's length).

    The window's spectrum has three taps (−¼, ½, −¼), so windowing is a three-bin sum here
    instead of a second FFT of every frame (the subharmonic check's spectrum), and only the
    bins the check reads are computed.
    """
    below = np.concatenate([spec[:, 1:2].conj(), spec[:, : n_bins - 1]], axis=1)
    windowed = spec[:, :n_bins] * np.float32(0.5)
    windowed -= np.float32(0.25) * (below + spec[:, 1 : n_bins + 1])
    return np.square(windowed.real) + np.square(windowed.imag)


def track_pitch(
    y: np.ndarray,
    *,
    sr: int,
    hop_length: int = 220,
    frame_length: int = 2048,
    fmin: float = 30.0,
    fmax: float = 2000.0,
    octave_correction: bool = True,
    viterbi: bool = True,
    shift_check: bool = False,
    subharmonic_check: bool = True,
) -> PitchTrack:
    """Track the fundamental frequency of a monophonic signal, seed paper §2.3.3.

    The signal is analysed at half rate when ``4·fmax`` allows it (:func:`_decimation`). Each
    frame's difference function is computed with FFTs over blocks of frames (no Python loop over
    frames), period candidates are its best dips with sub-sample lags (a cosine fit on the raw
    difference, see :func:`player.analysis.octave._interpolate`), and the period is chosen by the
    frame-shift octave correction of
    :mod:`player.analysis.octave` — or, with ``octave_correction=False``, by plain YIN's rule
    (the first dip below 0.1, else the deepest), kept to measure what the correction is worth.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)
        Mono audio.
    sr : int
        Its sample rate.
    hop_length : int
        Samples between frame centres (220 at 22,050 Hz is 10 ms).
    frame_length : int
        Samples per analysis frame; must hold two periods of ``fmin``.
    fmin, fmax : float
        The f0 search range in Hz (default: double bass to piccolo).
    octave_correction : bool
        Choose periods with the frame-shift correction rather than per frame.
    viterbi, shift_check : bool
        The two parts of the correction (continuity path; shifted-window check); switching one
        off measures what it contributes. Ignored when ``octave_correction`` is False.

    Returns
    -------
    PitchTrack
        ``n_frames = 1 + len(y) // hop_length``.
    """
    y = np.asarray(y)
    _validate(y, sr, hop_length, frame_length, fmin, fmax)
    n = 1 + len(y) // hop_length
    q = _decimation(sr, hop_length, frame_length, fmin, fmax)
    for _ in range(q.bit_length() - 1):
        y = half_rate(y)
    f0, voiced_prob = _track(
        y,
        sr=sr // q if sr % q == 0 else sr / q,
        hop_length=hop_length // q,
        frame_length=frame_length // q,
        fmin=fmin,
        fmax=fmax,
        octave_correction=octave_correction,
        viterbi=viterbi,
        shift_check=shift_check,
        subharmonic_check=subharmonic_check,
    )
    return PitchTrack(
        f0_hz=f0[:n], voiced_prob=voiced_prob[:n], hop_s=hop_length / sr, sample_rate=sr
    )


def _decimation(sr: int, hop_length: int, frame_length: int, fmin: float, fmax: float) -> int:
    """The largest power-of-two rate reduction that keeps 4·fmax below the sample rate and the
    hop, the frame and two periods of fmin whole: 2 at 22,050 Hz for f0 up to 2 kHz, which
    halves the cost and changed raw pitch accuracy on the evaluation set by 0.001."""
    q = 1
    while (
        sr / (2 * q) >= 4 * fmax
        and hop_length % (2 * q) == 0
        and frame_length % (2 * q) == 0
        and 2 * int(np.ceil(sr / (2 * q) / fmin)) + 2 <= frame_length // (2 * q)
    ):
        q *= 2
    return q


def _half_band_kernel(taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass at 0.22 of the sample rate: flat to 0.19, −50 dB from 0.25."""
    k = np.arange(taps) - (taps - 1) / 2
    return (0.44 * np.sinc(0.44 * k) * np.hamming(taps)).astype(np.float32)


_HALF_BAND = _half_band_kernel()


def half_rate(y: np.ndarray) -> np.ndarray:
    """Low-pass and keep every second sample, computing only the kept outputs (polyphase).

    Output sample ``m`` is aligned with input sample ``2m``; length ``ceil(len(y) / 2)``.
    A short, gentle filter on purpose: soxr's steep resampler (tried in pipeline-5 for its
    speed) rings before an abrupt onset, and the tracker read that ringing in the frames of
    silence before a noise burst as a 1.5 kHz pitch (6 % of the frames of a burst test signal
    voiced, against 0.2 % with this filter).
    """
    y = y.astype(np.float32, copy=False)
    if len(y) % 2:
        y = np.append(y, np.float32(0.0))
    half = len(_HALF_BAND) // 2  # 31: an odd centre puts the even taps on the odd samples
    lead = half // 2
    m = len(y) // 2
    out = np.convolve(y[1::2], _HALF_BAND[0::2])[lead : lead + m]
    out += np.convolve(y[0::2], _HALF_BAND[1::2])[lead : lead + m]
    return out


def _track(
    y: np.ndarray,
    *,
    sr: float,
    hop_length: int,
    frame_length: int,
    fmin: float,
    fmax: float,
    octave_correction: bool,
    viterbi: bool,
    shift_check: bool,
    subharmonic_check: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """f0 and voicing probability per frame of a signal at the analysis rate."""
    tau_min = max(2, int(np.floor(sr / fmax)))
    tau_max = int(np.ceil(sr / fmin))
    win_length = frame_length // 2
    frames, energy, db = _framing(
        y,
        hop_length=hop_length,
        frame_length=frame_length,
        win_length=win_length,
        n_lags=tau_max + 2,
    )
    n = len(frames)
    loud = db > max(-80.0, (db.max() if n else 0.0) + _SILENCE_DB)

    shift = 1 if octave_correction and shift_check else 0
    taus, costs, penalties = [], [], []
    band_bins = min(frame_length // 2, int(_BAND * frame_length) + 3)  # the band, a bin to spare
    for start in range(0, n, _CHUNK_FRAMES):
        stop = min(n, start + _CHUNK_FRAMES)
        lo, hi = max(0, start - shift), min(n, stop + shift)
        spec = sfft.rfft(frames[lo:hi], axis=1)
        dprime, diff = _cmnd(frames[lo:hi], spec, energy[lo:hi], win_length=win_length)
        dprime[~loud[lo:hi]] = 1.0
        if octave_correction:
            tau, cost = octave.candidates(
                dprime, diff, tau_min=tau_min, tau_max=tau_max, n_best=_N_CANDIDATES
            )
            if shift:
                cost = octave.shifted_window_costs(dprime, diff, tau, cost, shift=shift)
            tau, cost = tau[start - lo : stop - lo], cost[start - lo : stop - lo]
            if subharmonic_check:
                power = _hann_power(spec[start - lo : stop - lo], n_bins=band_bins)
                penalties.append(
                    octave.subharmonic_penalty(
                        power, tau, sr=sr, n_fft=frame_length, band_hz=_BAND * sr
                    )
                )
        else:
            tau, cost = octave.yin_choice(
                dprime, diff, tau_min=tau_min, tau_max=tau_max, threshold=_YIN_THRESHOLD
            )
        taus.append(tau)
        costs.append(cost)
    tau = np.concatenate(taus) if taus else np.zeros((0, 1))
    cost = np.concatenate(costs) if costs else np.zeros((0, 1))

    if octave_correction:
        period, aperiodicity = octave.choose_periods(
            tau,
            cost,
            tau_min=tau_min,
            use_viterbi=viterbi,
            penalty=np.concatenate(penalties) if penalties else None,
            level_db=db - (db.max() if n else 0.0),
        )
    else:
        period, aperiodicity = tau[:, 0], cost[:, 0]
        period = np.where(aperiodicity < octave.UNVOICED_COST, period, 0.0)
    period[~loud] = 0.0
    with np.errstate(divide="ignore"):
        f0 = np.where(period > 0, sr / np.maximum(period, 1e-9), 0.0).astype(np.float32)
    voiced_prob = np.clip(1.0 - aperiodicity, 0.0, 1.0).astype(np.float32)
    voiced_prob[~loud] = 0.0
    return f0, voiced_prob
