"""Octave correction by the frame-shift method, seed paper §2.3.3.

A periodic frame's difference function dips at the period ``T`` and at every multiple of it, and
a tone whose second harmonic dominates also dips, less deeply, at ``T/2``: picking one dip per frame
gives octave errors. The paper's remedy is to look at shifted frames. We do it in two parts, each
of which can be switched off to measure it:

* **shifted-window check** — a candidate's cost is averaged with the depth of the dip nearest to
  its lag in the windows shifted by one hop either way: a true period's dip persists from window to
  window, a dip that is an accident of one window's content does not;
* **continuity path** — candidates per frame (the deepest dips plus the half and double of the best)
  and an unvoiced state; a Viterbi path minimises their costs plus a transition cost proportional
  to the jump in log-period, so that an isolated frame cannot leap an octave and back.

A small cost per octave of period breaks the tie between ``T`` and its multiples, which a periodic
signal makes equally deep (YIN's reason for taking the first dip below a threshold).

Additions for instruments and rooms beyond the first clip set (issue 10, chosen on the tuning
half of ``tests/benchmarks/pitch_broad.py`` only):

* **subharmonic check** — a candidate whose odd harmonics are missing from the spectrum is an
  octave too low (:func:`subharmonic_penalty`); it fixed FluidR3's trumpet, whose samples repeat
  every two cycles, and halved the octave errors in reverberant renders;
* **fundamental check** — a candidate with no energy at its own fundamental is a common
  sub-period of a note and the previous note's reverberant tail (same function); it took the
  octave errors in reverb from 4.7 % to 1.1 %;
* **level-aware voicing** — a frame near the recording's loudest level costs more to call
  unvoiced (``LOUD_VOICING``): a loud choir or a bowed bass has shallow dips but is still a note;
* **ranking is not voicing** — the unvoiced state pays the period prior and the spectral
  penalties of the frame's best candidate, so they choose among periods without making a low
  note (up to 0.19 of prior) or a penalised frame unvoiced (raw pitch accuracy 0.893 → 0.903).

Measured on rendered chorale lines (docs/analysis-pitch.md): octave errors 2.5 % of voiced frames
with plain YIN, 1.7 % with the shift check alone, 0.44 % with the path, 0.46 % with both — so the
tracker runs the path alone by default.
"""

from __future__ import annotations

import numpy as np

UNVOICED_COST = 0.3  # the cost of calling a frame unvoiced: dips shallower than this are noise
LOUD_VOICING = 0.2  # added to the unvoiced cost of the loudest frames, tapering to 0 ...
LOUD_RANGE_DB = 30.0  # ... this many dB below them
_PERIOD_PRIOR = 0.04  # cost per octave of period, favouring T over 2T, 3T, ...
_JUMP_COST = 0.35  # cost per octave of change in period between neighbouring frames
_VOICING_SWITCH = 0.2  # cost of switching between voiced and unvoiced
_REFINE_TOL = 0.03  # relative lag tolerance (about half a semitone) when looking for a dip
_INVALID = 1e6  # cost of an absent candidate (kept finite so sums never make NaN)
_BLOCK = 4096  # frames per block of precomputed transition costs
_RUN = 32  # frames per run of the Viterbi path solved side by side (see _viterbi)
SUBHARMONIC_WEIGHT = 0.6  # cost per decade that a candidate's odd harmonics fall short ...
SUBHARMONIC_RATIO = 0.035  # ... of this share of its even harmonics' energy (see below)
FUNDAMENTAL_WEIGHT = 0.3  # cost per decade that a candidate's fundamental falls short ...
FUNDAMENTAL_RATIO = 0.003  # ... of this share (−25 dB) of its strongest harmonic ...
FUNDAMENTAL_MAX_DECADES = 1.5  # ... counted up to this many decades (see below)
_N_HARMONICS = 10  # harmonics of a candidate looked at (those below the band edge)


def _interpolate(
    dprime: np.ndarray, diff: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sub-sample lag and depth of the dips at integer lags ``idx`` (any shape (n, ...)).

    As YIN advises, the lag is interpolated on the raw difference ``diff``: the normalisation
    of ``d'`` tilts a dip a few samples wide (a 2 kHz period at 11 kHz) and biased it by 20
    cents. The three points are fitted with ``C − D·cos(ω(τ − τ₀))``, ``ω = 2π/τ`` — a
    sinusoid's difference function near its period, which for long periods is YIN's parabola.
    The depth is ``d'``'s parabola evaluated at that lag.
    """
    flat = idx.reshape(len(idx), -1)
    a, b, c = (np.take_along_axis(diff, flat + k, axis=1) for k in (-1, 0, 1))
    omega = 2.0 * np.pi / np.maximum(flat, 3)
    even = (0.5 * (a + c) - b) / (1.0 - np.cos(omega))  # D·cos(u)
    odd = 0.5 * (c - a) / np.sin(omega)  # D·sin(u)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(even > 0, np.arctan(odd / even), 0.0)
    delta = np.clip(-u / omega, -0.5, 0.5)
    a, b, c = (np.take_along_axis(dprime, flat + k, axis=1) for k in (-1, 0, 1))
    value = np.maximum(b + 0.5 * (c - a) * delta + 0.5 * (a - 2.0 * b + c) * delta**2, 0.0)
    return (flat + delta).reshape(idx.shape), value.reshape(idx.shape)


def _dip_near(
    dprime: np.ndarray, diff: np.ndarray, approx: np.ndarray, *, tau_min: int, tau_max: int
) -> tuple[np.ndarray, np.ndarray]:
    """The deepest point of each row of ``dprime`` within ±3 % of the lags ``approx`` (n, m).

    Lags outside ``[tau_min, tau_max]`` give an invalid (very costly) candidate.
    """
    reach = int(np.ceil(_REFINE_TOL * tau_max)) + 1
    offsets = np.arange(-reach, reach + 1)
    centre = np.rint(approx).astype(np.int64)
    idx = centre[..., None] + offsets
    allowed = np.abs(offsets) <= np.maximum(1, np.ceil(_REFINE_TOL * approx))[..., None]
    idx = np.clip(idx, tau_min, tau_max)
    n = len(dprime)
    vals = np.take_along_axis(dprime, idx.reshape(n, -1), axis=1).reshape(idx.shape)
    vals = np.where(allowed, vals, np.inf)
    best = np.take_along_axis(idx, vals.argmin(axis=-1)[..., None], axis=-1)[..., 0]
    tau, value = _interpolate(dprime, diff, best)
    outside = (approx < tau_min - 0.5) | (approx > tau_max + 0.5)
    return np.where(outside, approx, tau), np.where(outside, _INVALID, value)


def _prior(tau: np.ndarray, tau_min: int) -> np.ndarray:
    """The cost per octave of period above the shortest allowed one (ties go to ``T``, not ``2T``)."""
    return _PERIOD_PRIOR * np.log2(np.maximum(tau, tau_min) / tau_min)


def candidates(
    dprime: np.ndarray, diff: np.ndarray, *, tau_min: int, tau_max: int, n_best: int
) -> tuple[np.ndarray, np.ndarray]:
    """Period candidates of each frame: its ``n_best`` best dips, the half and double of the best.

    "Best" counts the period prior, so a high note's period is not crowded out by its many
    equally deep multiples.

    Parameters
    ----------
    dprime : np.ndarray, shape (n, > tau_max + 1)
        Cumulative-mean-normalised difference functions.

    Returns
    -------
    tau, cost : np.ndarray, shape (n, n_best + 2)
        Sub-sample lags and dip depths; absent candidates cost ``1e6``.
    """
    left = dprime[:, tau_min - 1 : tau_max]
    mid = dprime[:, tau_min : tau_max + 1]
    right = dprime[:, tau_min + 1 : tau_max + 2]
    lags = np.arange(tau_min, tau_max + 1)
    prior = _prior(lags, tau_min).astype(dprime.dtype)  # float32 in, float32 work
    masked = np.where((mid < left) & (mid <= right), mid + prior, np.inf)
    k = min(n_best, masked.shape[1])
    idx = np.argpartition(masked, k - 1, axis=1)[:, :k]
    present = np.isfinite(np.take_along_axis(masked, idx, axis=1))
    tau, cost = _interpolate(dprime, diff, idx + tau_min)
    cost = np.where(present, cost, _INVALID)
    best = np.take_along_axis(tau, (cost + _prior(tau, tau_min)).argmin(axis=1)[:, None], axis=1)
    near_tau, near_cost = _dip_near(
        dprime, diff, np.concatenate([best / 2, best * 2], axis=1), tau_min=tau_min, tau_max=tau_max
    )
    return np.concatenate([tau, near_tau], axis=1), np.concatenate([cost, near_cost], axis=1)


def shifted_window_costs(
    dprime: np.ndarray, diff: np.ndarray, tau: np.ndarray, cost: np.ndarray, *, shift: int
) -> np.ndarray:
    """Average each candidate's depth with its dip's depth in the windows ``shift`` frames away.

    Edge frames use the one neighbour they have. Shape (n, m) like ``cost``.
    """
    n, m = tau.shape
    tau_min, tau_max = 2, dprime.shape[1] - 2
    total, count = cost.copy(), np.ones_like(cost)
    for step in (-shift, shift):
        src = np.clip(np.arange(n) + step, 0, n - 1)
        has = (src != np.arange(n))[:, None]
        _, depth = _dip_near(
            dprime[src], diff[src], np.clip(tau, tau_min, tau_max), tau_min=tau_min, tau_max=tau_max
        )
        total += np.where(has, depth, 0.0)
        count += has
    return np.where(cost >= _INVALID, _INVALID, total / count)


def subharmonic_penalty(
    power: np.ndarray, tau: np.ndarray, *, sr: float, n_fft: int, band_hz: float
) -> np.ndarray:
    """Extra cost of candidates whose odd harmonics or fundamental are (nearly) missing: too low.

    A period of ``2T`` explains every harmonic of ``T`` as its own even harmonics, so the
    difference function dips at ``2T`` nearly as deeply as at ``T`` — and deeper wherever the
    sound's cycles differ slightly (a sample's period doubling, a reverberant tail of another
    note): the octave-low errors the time domain cannot see. In the spectrum the difference is
    plain: a true ``f0`` has energy at its odd harmonics ``f0, 3f0, 5f0 …``; the sub-octave
    ``f0/2`` has nothing at *its* odd harmonics, which fall between the partials. The penalty
    is ``SUBHARMONIC_WEIGHT · max(0, log10(SUBHARMONIC_RATIO / r))`` with ``r`` the energy at
    the odd harmonics over the energy at the even ones (peaks read as the largest of the three
    nearest bins).

    Why the threshold sits as low as 3.5 %: on the tuning renders the true ``f0``'s ratio lies
    above 0.13 in 99 % of the frames and the sub-octave's below 0.04 in 90 %; a threshold of 1
    removed more octave errors in reverb (0.98 % against 1.76 % of voiced frames) but also turns
    a tone whose odd partials are 14 dB down (``tests/analysis/test_pitch.py``'s octave trap,
    ratio 0.04, still periodic at ``T``) into its upper octave.

    **Fundamental check.** In a hall the previous note rings on under the new one, and the
    mixture of a note and the tail of its upper fifth or fourth is periodic at ``2T``, ``3T`` or
    ``4T`` — the common period, whose dip is the deepest, and whose odd harmonics the tail fills
    in, so the odd check passes it. What no such sub-period has is a fundamental: ``f0/k`` lies
    below the lowest partial of either note. A candidate whose first harmonic is more than 25 dB
    (``FUNDAMENTAL_RATIO``) below its strongest pays ``FUNDAMENTAL_WEIGHT`` per decade of
    shortfall, at most ``FUNDAMENTAL_MAX_DECADES`` decades (0.45). The cap keeps a tone with no
    fundamental at all (partials 2–6: periodic at ``T``, heard at ``f0``) at ``T``; uncapped, its
    other candidates are so aperiodic that it was called unvoiced. On the tuning half this check
    took octave errors in reverb from 4.7 % to 1.1 % of voiced frames (the test
    ``test_previous_note_tail_does_not_pull_the_period_down`` is the case in miniature).

    Parameters
    ----------
    power : np.ndarray, shape (n, n_fft // 2 + 1)
        Power spectrum of each frame (Hann-windowed).
    tau : np.ndarray, shape (n, m)
        Candidate periods in samples at ``sr``.
    band_hz : float
        Harmonics at or above this frequency are ignored (the signal's usable band).

    Returns
    -------
    np.ndarray, shape (n, m)
    """
    n, m = tau.shape
    f0 = sr / np.maximum(tau, 1.0)
    k = np.arange(1, _N_HARMONICS + 1)
    freq = f0[..., None] * k  # (n, m, H)
    inside = freq < band_hz
    bins = np.clip(np.rint(freq * n_fft / sr).astype(np.int64), 1, power.shape[1] - 2)
    flat = bins.reshape(n, -1)
    peak = np.maximum.reduce(
        [np.take_along_axis(power, flat + d, axis=1) for d in (-1, 0, 1)]
    ).reshape(n, m, -1)
    peak = np.where(inside, peak, 0.0)
    odd = peak[..., 0::2].sum(axis=-1)
    even = peak[..., 1::2].sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.log10(SUBHARMONIC_RATIO * even / odd)
    shortfall = np.where(np.isfinite(shortfall), shortfall, 0.0)
    has_even = inside[..., 1]  # a candidate with no even harmonic in band cannot be judged
    penalty = np.where(has_even, SUBHARMONIC_WEIGHT * np.clip(shortfall, 0.0, 3.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        missing = np.log10(FUNDAMENTAL_RATIO * peak.max(axis=-1) / peak[..., 0])
    missing = np.where(np.isfinite(missing), missing, 0.0)
    missing = FUNDAMENTAL_WEIGHT * np.clip(missing, 0.0, FUNDAMENTAL_MAX_DECADES)
    penalty = penalty + np.where(has_even, missing, 0.0)
    # relative to the frame's best candidate: it ranks periods, it does not decide voicing
    return penalty - penalty.min(axis=1, keepdims=True)


def yin_choice(
    dprime: np.ndarray, diff: np.ndarray, *, tau_min: int, tau_max: int, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Plain YIN per frame: the first dip below ``threshold``, else the deepest; shapes (n, 1)."""
    band = dprime[:, tau_min : tau_max + 1]
    below = band < threshold
    # the first lag below the threshold, then walk down to the bottom of that dip
    first = np.where(below.any(axis=1), below.argmax(axis=1), band.argmin(axis=1))
    lags = np.arange(band.shape[1])
    after = np.where(
        (lags >= first[:, None]) & (np.diff(band, axis=1, append=np.inf) >= 0), lags, band.shape[1]
    )
    bottom = np.where(below.any(axis=1), after.min(axis=1), first)
    tau, value = _interpolate(dprime, diff, (bottom + tau_min)[:, None])
    return tau, value


def choose_periods(
    tau: np.ndarray,
    cost: np.ndarray,
    *,
    tau_min: int,
    use_viterbi: bool,
    penalty: np.ndarray | None = None,
    level_db: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick one candidate per frame, or none (unvoiced).

    Parameters
    ----------
    tau, cost : np.ndarray, shape (n, m)
        Candidates from :func:`candidates` (optionally re-costed by :func:`shifted_window_costs`).
    tau_min : int
        The shortest lag searched (the period prior counts octaves above it).
    use_viterbi : bool
        Minimise over the whole path with continuity costs; otherwise per frame.
    penalty : np.ndarray, shape (n, m), optional
        Extra local cost per candidate (:func:`subharmonic_penalty`); not part of the
        reported aperiodicity.
    level_db : np.ndarray, shape (n,), optional
        Each frame's level relative to the loudest: loud frames cost more to call unvoiced
        (a note at full level whose dips are shallow — a choir, a bowed bass in a hall — is
        still a note; a faint tail is not).

    Returns
    -------
    period : np.ndarray, shape (n,)
        Chosen lag in samples, 0 where unvoiced.
    aperiodicity : np.ndarray, shape (n,)
        Depth of the chosen dip (the best dip's where unvoiced).
    """
    n, m = tau.shape
    log_tau = np.log2(np.maximum(tau, 1.0))
    extra = _prior(tau, tau_min) + (0.0 if penalty is None else penalty)
    voiced_cost = cost + extra
    ranked = np.take_along_axis(extra, voiced_cost.argmin(axis=1)[:, None], axis=1)[:, 0]
    # the prior and the penalties rank a frame's periods; they must not also decide whether it
    # is voiced (a low note's prior alone once cost 0.19), so the unvoiced state pays them too
    unvoiced = _unvoiced_cost(n, level_db) + ranked
    local = np.concatenate([voiced_cost, unvoiced[:, None]], axis=1)
    states = _viterbi(local, log_tau) if use_viterbi and n > 1 else local.argmin(axis=1)
    voiced = states < m
    pick = np.minimum(states, m - 1)[:, None]
    period = np.where(voiced, np.take_along_axis(tau, pick, axis=1)[:, 0], 0.0)
    chosen = np.take_along_axis(cost, pick, axis=1)[:, 0]
    aperiodicity = np.where(voiced, chosen, np.minimum(cost.min(axis=1, initial=1.0), 1.0))
    return period, aperiodicity


def _unvoiced_cost(n: int, level_db: np.ndarray | None) -> np.ndarray:
    if level_db is None:
        return np.full(n, UNVOICED_COST)
    ramp = np.clip(1.0 + np.asarray(level_db) / LOUD_RANGE_DB, 0.0, 1.0)
    return UNVOICED_COST + LOUD_VOICING * ramp


def _viterbi(local: np.ndarray, log_tau: np.ndarray) -> np.ndarray:
    """Min-cost state path; the last state is unvoiced.

    The textbook recursion is a Python step per frame (5–8 µs each: 9 % of the whole
    analysis). Here the frames are cut into runs of ``_RUN`` that numpy steps through side by
    side (see :func:`_forward_costs` and :func:`_backtrace`): the textbook result (up to the
    order of additions) in about ``3·_RUN + runs`` array steps per block instead of one per
    frame. Transition costs are built a block at a time (memory).
    """
    n, s = local.shape
    back = np.empty((n, s), dtype=np.intp)
    acc = local[0].astype(np.float64)
    for start in range(1, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        runs = -(-(stop - start) // _RUN)
        trans = np.full((runs * _RUN, s, s), np.inf)  # [step, from, to]; padding: stay put
        trans[:, np.arange(s), np.arange(s)] = 0.0
        steps = trans[: stop - start]
        steps[:] = _VOICING_SWITCH
        jump = np.abs(log_tau[start:stop, None, :] - log_tau[start - 1 : stop - 1, :, None])
        steps[:, :-1, :-1] = _JUMP_COST * jump
        steps[:, -1, -1] = 0.0
        steps += local[start:stop, None, :]
        trans = trans.reshape(runs, _RUN, s, s)
        before = _forward_costs(trans, acc)  # [run, step, state]: the path cost a step starts from
        total = before[:, :, None, :] + trans.transpose(0, 1, 3, 2)  # [run, step, to, from]
        back[start:stop] = total.argmin(axis=3).reshape(runs * _RUN, s)[: stop - start]
        acc = total[:, -1].min(axis=2)[-1]  # padding keeps the last real step's costs
        acc -= acc.min()
    return _backtrace(back, int(acc.argmin()))


def _min_plus(cost: np.ndarray, trans: np.ndarray, out: np.ndarray, via: np.ndarray) -> None:
    """``out[..., j] = min_i cost[..., i] + trans[..., i, j]``, one state ``i`` at a time.

    numpy reduces a short inner axis slowly; elementwise minima of whole arrays are fast.
    """
    np.add(cost[..., 0, None], trans[..., 0, :], out=out)
    for i in range(1, trans.shape[-2]):
        np.add(cost[..., i, None], trans[..., i, :], out=via)
        np.minimum(out, via, out=out)


def _forward_costs(trans: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """The min path cost of each state before each step, shape (runs, steps, s).

    ``trans`` (runs, steps, s, s) holds consecutive steps, run after run; ``acc`` (s,) is the
    cost before the first. 1. Each run's min-plus transfer matrix (the cheapest cost from each
    state at its start to each at its end), all runs at once; 2. the cost at each run's start,
    run after run (one small product each); 3. every run's costs step by step from there, all
    runs at once.
    """
    runs, steps, s, _ = trans.shape
    transfer = trans[:, 0].copy()
    previous, via = np.empty_like(transfer), np.empty_like(transfer)
    for r in range(1, steps):
        previous[:] = transfer
        _min_plus(previous, trans[:, r, None], transfer, via)
    before = np.empty((runs, steps, s))
    for k in range(runs):
        before[k, 0] = acc
        acc = (acc[:, None] + transfer[k]).min(axis=0)
    vec, via_vec = np.empty((runs, s)), np.empty((runs, s))
    for r in range(steps - 1):
        _min_plus(before[:, r], trans[:, r], vec, via_vec)
        before[:, r + 1] = vec
    return before


def _backtrace(back: np.ndarray, last: int) -> np.ndarray:
    """States of the min-cost path ending in ``last``: ``state[t − 1] = back[t, state[t]]``.

    Walked in runs side by side, like the forward pass: each run's map from the state at its
    end to the state at its start (composed step by step, all runs at once), then the runs'
    end states one run at a time, then every run's states from its end, all at once.
    """
    n, s = back.shape
    steps = n - 1
    runs = -(-steps // _RUN)
    identity = np.broadcast_to(np.arange(s), ((runs * _RUN - steps), s))
    rev = np.concatenate([back[:0:-1], identity]).reshape(runs, _RUN, s)  # rows t = n−1 … 1
    rows = np.arange(runs)
    through = np.broadcast_to(np.arange(s), (runs, s))
    for r in range(_RUN):
        through = rev[rows[:, None], r, through]
    enter = np.empty(runs, dtype=np.intp)
    state = last
    for k, row in enumerate(through.tolist()):
        enter[k] = state
        state = row[state]
    walked = np.empty((runs, _RUN), dtype=np.intp)
    for r in range(_RUN):
        enter = rev[rows, r, enter]
        walked[:, r] = enter
    states = np.empty(n, dtype=np.intp)
    states[-1] = last
    states[:-1] = walked.reshape(-1)[:steps][::-1]
    return states
