"""Recommendation latency over a 50,000-track library, memory of the loaded model, and a replay.

Run: ``.venv/bin/python tests/benchmarks/bench_recommend_latency.py [--tracks 50000]
[--plays 1000000]``

1. Builds a profile in a temp dir: ``tracks`` tracks (composers × works × 4 movements) with content
   features, and a synthetic listening history with habits (works that tend to follow each other,
   a few favourite composers).
2. Trains the trainer's CNN + self-attention model on that history (``--train-seconds`` on the
   CPU) and installs its ONNX export; without the ``train`` extra, the contract's two-tower
   stand-in from ``tests/recommend/contract_model.py`` (the output then says so).
3. Times one ranking (session vector + numpy dot + argpartition) and one full ``suggest()``,
   p50/p99 over many sessions, on the provider in use; measures the loaded model's memory.
   Then what a track end costs in the app: the play is logged (untimed: the play-log thread
   does it and tells the recommender which rows it wrote), then ``track_ended`` and the next
   ``suggest()``, which takes just those rows into the history before ranking — timed
   together, as the listener waits for them. ``--plays`` adds a long listening history before
   the synthetic sessions (a decade: 1,000,000 plays of whole works, written in bulk).
4. Replays held-out sessions (not written to the profile): how often one of the 5 suggested works
   was the work actually played next, for each source, and how often the first suggestion is in
   a key related to the one before it (with and without key-aware transitions).
5. Up next's rules: ``suggest()`` per mode and with a time budget, how full the budgets are, and
   ``continuo suggest --json`` from a cold start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from player.analysis.version import ANALYSIS_VERSION  # noqa: E402
from player.domain.tonality import UNKNOWN, relation  # noqa: E402
from player.profile import Profile  # noqa: E402
from player.recommend.history import load_history  # noqa: E402
from player.recommend.item_search import top_k  # noqa: E402
from player.recommend.library import load_library  # noqa: E402
from player.recommend.model import load_model  # noqa: E402
from player.recommend.up_next import Recommender  # noqa: E402
from player.store import open_database  # noqa: E402
from player.store.db import Database  # noqa: E402
from player.store.features import TrackFeatures, save_features  # noqa: E402
from player.store.plays import end_play, log_plays, start_play  # noqa: E402
from player.store.settings import set_setting  # noqa: E402
from player.store.tracks import Track, all_tracks, upsert_tracks  # noqa: E402

MOVEMENTS = 4
CLASSES = 24  # segment classes of the content histograms
KEYS = ("C", "G", "D", "A", "E", "B", "F-sharp", "D-flat", "A-flat", "E-flat", "B-flat", "F")


def build_library(db: Database, n_tracks: int, rng: np.random.Generator) -> None:
    works_per_composer = 25
    composers = max(1, n_tracks // (works_per_composer * MOVEMENTS))
    tracks = []
    titles = np.random.default_rng(11)  # its own stream: the histograms and sessions stay as before
    for c in range(composers):
        for w in range(works_per_composer):
            # a key in the title, as classical titles name it; movements of 2 to 12 minutes
            key = f"{KEYS[int(titles.integers(len(KEYS)))]} {('major', 'minor')[int(titles.integers(2))]}"
            seconds = float(titles.uniform(120, 720))
            for m in range(1, MOVEMENTS + 1):
                composer, work = f"Composer {c:04d}", f"Work {w:02d} in {key}"
                tracks.append(
                    Track(
                        path=f"/music/{c}/{w}/{m}.flac",
                        size=1,
                        mtime_ns=1,
                        title=f"Movement {m}",
                        item_key=f"composer {c:04d} | work {w:02d} | movement {m} | ensemble",
                        composer=composer,
                        work=work,
                        movement=f"Movement {m}",
                        movement_number=m,
                        album=f"{composer} {work}",
                        duration_s=seconds * (0.6 + 0.2 * m),
                    )
                )
    upsert_tracks(db, tracks[:n_tracks])
    style = rng.dirichlet(np.full(CLASSES, 0.3), size=composers)
    with db.transaction():  # one transaction: save_features joins it
        for track in all_tracks(db):
            c = int(track.composer.split()[-1])
            histogram = (rng.dirichlet(style[c] * 20 + 0.05) * 30).astype(np.float32)
            save_features(
                db, track.id, ANALYSIS_VERSION, TrackFeatures(histogram, 30, 300.0, 0.7, 200.0, 0.0)
            )


def synthetic_sessions(
    db: Database, n_sessions: int, rng: np.random.Generator
) -> list[list[list[int]]]:
    """Sessions as lists of works (each a list of track ids in movement order)."""
    works: dict[tuple[str, str], list[int]] = {}
    for track in all_tracks(db):
        works.setdefault((track.composer, track.work), []).append(track.id)
    keys = list(works)
    favourites = rng.choice(len(keys), size=min(300, len(keys)), replace=False)
    follows = {int(w): rng.choice(favourites, size=3) for w in favourites}
    sessions = []
    for _ in range(n_sessions):
        work = int(rng.choice(favourites))
        session = [works[keys[work]]]
        for _ in range(int(rng.integers(2, 7))):
            work = (
                int(rng.choice(follows[work]))
                if rng.random() < 0.6
                else int(rng.choice(favourites))
            )
            session.append(works[keys[work]])
        sessions.append(session)
    return sessions


def write_history(db: Database, sessions: list[list[list[int]]]) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    for session in sessions:
        for work in session:
            for track_id in work:
                play = start_play(db, track_id, "user", when.isoformat(timespec="milliseconds"))
                end_play(db, play, 300_000, "finished")
                when += timedelta(seconds=301)
        when += timedelta(hours=5)


def write_decade(db: Database, n_plays: int, rng: np.random.Generator) -> None:
    """``n_plays`` plays of whole works (movements in library order), sessions of about eight
    plays one to 48 hours apart, all ending before the synthetic sessions begin (2025)."""
    ids = np.array([t.id for t in all_tracks(db)], dtype=np.int64)
    works = rng.integers(0, max(len(ids) // MOVEMENTS, 1), n_plays // MOVEMENTS + 1)
    rows = np.minimum((works[:, None] * MOVEMENTS + np.arange(MOVEMENTS)).ravel(), len(ids) - 1)
    rows = rows[:n_plays]
    ms = rng.integers(120_000, 480_000, n_plays)
    pause = np.where(
        np.arange(n_plays) % 8 == 7, rng.integers(3_600_000, 172_800_000, n_plays), 1_000
    )
    starts = np.concatenate([[0], np.cumsum(ms + pause)[:-1]])
    end = np.datetime64("2024-12-31T00:00:00", "ms")
    stamps = np.datetime_as_string(end - (starts[-1] + ms[-1] - starts).astype("timedelta64[ms]"))
    for chunk in range(0, n_plays, 200_000):
        part = slice(chunk, chunk + 200_000)
        log_plays(db, ((int(ids[r]), f"{t}+00:00", int(m), "finished", "user")
                       for r, t, m in zip(rows[part], stamps[part], ms[part], strict=True)))  # fmt: skip


def install_model(profile: Profile, train_seconds: float, lr: float = 0.001) -> str:
    """Train the trainer's model on the profile's history and export it to ``models/current``.

    Without the ``train`` extra (or before ``trainer.export`` exists), the contract's two-tower
    stand-in is installed instead and the output says so.
    """
    try:
        from trainer.config import ModelConfig, TrainConfig
        from trainer.export import export
        from trainer.fit import SessionRecommender
        from trainer.readers.profile import read_profile
    except ImportError as missing:
        return _stand_in(profile, f"trainer not usable here: {missing}")
    data, _ = read_profile(profile.root)
    model = SessionRecommender(
        ModelConfig(),
        TrainConfig(time_budget_s=train_seconds, lr=lr, device="cpu", eval_every=10**9),
        progress=False,
        source="profile",
    )
    started = time.perf_counter()
    model.fit(data)
    export(model.state, profile.models / "current" / "model.onnx")
    config = model.state.model_config
    return (
        f"CNN + self-attention (H={config.hidden}, {config.attn_layers} attention layers), "
        f"trained {time.perf_counter() - started:.0f} s on CPU, exported by trainer.export"
    )


def _stand_in(profile: Profile, why: str) -> str:
    from tests.recommend.contract_model import write_model

    db = open_database(profile.database)
    played = {t for s in load_history(db, load_library(db)).sessions for t in s.tolist()}
    tracks = all_tracks(db)
    items = sorted({tracks[r].item_key for r in played})
    artists = sorted({t.composer.casefold() for t in tracks})
    write_model(
        profile.models / "current",
        items,
        artists,
        content_dim=0,
        hidden=192,
    )
    return f"contract two-tower stand-in, H=192 ({why})"


class Timings:
    """Wall-clock and this thread's CPU time per ``with`` block.

    On a machine shared with other jobs the wall clock mostly measures waiting for a core; the
    thread's CPU time (onnxruntime runs with one intra-op thread, in the calling thread) is
    what the work itself costs.
    """

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self) -> None:
        self._start = (time.perf_counter(), time.thread_time())

    def __exit__(self, *exc) -> None:
        self.wall.append(time.perf_counter() - self._start[0])
        self.cpu.append(time.thread_time() - self._start[1])

    def __str__(self) -> str:
        return f"wall {_percentiles(self.wall)}; CPU {_percentiles(self.cpu)} (n={len(self.wall)})"


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return f"p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=600)
    parser.add_argument("--plays", type=int, default=0, help="a long history first (1000000)")
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--train-seconds", type=float, default=120.0)
    parser.add_argument("--lr", type=float, default=0.001, help="peak learning rate (paper: 0.001)")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    root = Path(tempfile.mkdtemp(prefix="continuo-bench-rec-"))
    profile = Profile(root).create()
    db = open_database(profile.database)
    start = time.perf_counter()
    build_library(db, args.tracks, rng)
    sessions = synthetic_sessions(db, args.sessions, rng)
    cut = int(len(sessions) * 0.8)
    if args.plays:
        write_decade(db, args.plays, rng)
    write_history(db, sessions[:cut])
    print(
        f"profile: {args.tracks} tracks, {args.plays} plays of history, then {cut} sessions "
        f"written, {len(sessions) - cut} held out "
        f"({time.perf_counter() - start:.1f} s to build); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    what = install_model(profile, args.train_seconds, args.lr)
    print(f"model: {what}")

    library = load_library(db)
    process = psutil.Process()
    before = process.memory_info().rss
    t0 = time.perf_counter()
    model = load_model(profile.models / "current", library, threads=1)
    load_s = time.perf_counter() - t0
    rss = process.memory_info().rss - before
    print(
        f"provider in use: {model.provider}; load + candidate vectors for {len(library)} tracks: "
        f"{load_s:.2f} s; memory: RSS +{rss / 2**20:.1f} MiB, arrays {model.nbytes / 2**20:.1f} MiB, "
        f"files {model.files.size_bytes / 2**20:.1f} MiB"
    )

    history = load_history(db, library)
    prefixes = [s[: int(rng.integers(1, len(s) + 1))] for s in history.sessions if len(s)]
    full, two_stage, session_only = Timings(), Timings(), Timings()
    model.sessions_kept = 0  # each session asked about here runs the tower (a repeat would not)
    for i in range(args.runs):
        rows = prefixes[i % len(prefixes)]
        with full:
            top_k(model.scores(rows), 300)
        # stand-ins for the content/sessions/popular candidates, drawn outside the timer: this
        # times the model's share only (the full suggest() below draws the real ones)
        others = rng.choice(len(library), size=600, replace=False)
        with two_stage:
            query = model.session_vector(rows)
            own = model.top_known(query, 300, np.ones(len(library), dtype=bool))
            candidates = np.union1d(own, others)
            top_k(model.score_rows(query, candidates), 20)
        with session_only:
            model.session_vector(rows)
    print(
        f"one ranking, full scan (session vector + dot over all {len(library)} + top 300): {full}"
    )
    print(
        f"the model's share of one ranking (session vector, top 300 of the "
        f"{len(model.known_rows)} trained items, ~900 candidates scored; the other sources' "
        f"candidates given): {two_stage}"
    )
    print(f"  of which the session tower (onnxruntime, 1 thread): {session_only}")

    rec = Recommender(profile.database, profile.models / "current", threads=1)
    ids = library.track_ids
    rec.suggest([int(ids[0])])  # loads library, history and model once
    timings = Timings()
    for i in range(min(args.runs, 200)):
        session = [int(ids[r]) for r in prefixes[i % len(prefixes)]]
        with timings:
            rec.suggest(session, n=5)
    print(f"full suggest() (candidates, ranking, feedback, diversity, reasons): {timings}")
    up_next_rules(rec, library, prefixes, args.runs)
    suggest_command(profile, library, prefixes)

    ended = Timings()
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(min(args.runs, 100)):
        session = [int(ids[r]) for r in prefixes[i % len(prefixes)]]
        # the play-log thread's writes (start, end) and its word to the recommender: not timed
        play = start_play(db, session[-1], "user", when.isoformat(timespec="milliseconds"))
        rec.plays_logged([play])
        end_play(db, play, 300_000, "finished")
        rec.plays_logged([play])
        when += timedelta(seconds=301 if i % 10 else 3 * 3600)  # a new session now and then
        with ended:
            rec.track_ended(session[-1], 300_000, "finished")
            rec.suggest(session, n=5)
    plays = int(load_history(db, library).play_counts.sum())
    print(
        f"track_ended -> new suggest() (the play just written taken into a history of ~{plays} "
        f"heard plays, then ranked; every tenth play starts a session): {ended}"
    )
    cold = Timings()
    for _ in range(3):
        with cold:
            load_history(db, library)
    print(f"the whole play log read into a history (start-up, library changes): {cold}")

    print("replay of held-out sessions: was the next work among the 5 suggested?")
    held_out = sessions[cut:]
    no_model = root / "no-model"
    for label, directory, closeness in (
        ("with the model", profile.models / "current", "0.05"),
        ("model, no keys", profile.models / "current", "0"),
        ("fallbacks only", no_model, "0.05"),
    ):
        set_setting(db, "up_next.transition_closeness", closeness)
        rec = Recommender(profile.database, directory, threads=1)
        for mode in ("for_you", "popular"):
            hits = total = related = keyed = 0
            sources: dict[str, int] = {}
            for session in held_out:
                for i in range(1, len(session)):
                    history_ids = [t for work in session[:i] for t in work]
                    suggestions = rec.suggest(history_ids, n=5, mode=mode)
                    leads = {s.track_id for s in suggestions}
                    sources[suggestions[0].source] = sources.get(suggestions[0].source, 0) + 1
                    hits += session[i][0] in leads
                    total += 1
                    before = int(library.key_codes[library.row_of[history_ids[-1]]])
                    after = int(library.key_codes[library.row_of[suggestions[0].track_id]])
                    keyed += UNKNOWN not in (before, after)
                    related += relation(before, after) is not None
            print(
                f"  {label:15s} {mode:8s}: hit rate @5 works {hits / total:.3f} ({hits}/{total}); "
                f"related-key transitions {related / max(keyed, 1):.3f} ({related}/{keyed}); "
                f"sources {sources}"
            )


def up_next_rules(rec: Recommender, library, prefixes, runs: int) -> None:
    """suggest() per mode and with a time budget (the panel's calls), and how full the budgets
    are: whole units, total ≤ M, as close to M as the library allows."""
    ids = library.track_ids
    for label, kwargs in (
        ("discover", {"mode": "discover"}),
        ("other_recordings", {"mode": "other_recordings"}),
        ("for_you, 60 min budget", {"minutes": 60.0}),
    ):
        timings = Timings()
        for i in range(min(runs, 200)):
            session = [int(ids[r]) for r in prefixes[i % len(prefixes)]]
            with timings:
                rec.suggest(session, **kwargs)
        print(f"suggest() {label}: {timings}")
    for minutes in (12.5, 20.0, 40.0, 60.0, 90.0):
        ratios = []
        for i in range(100):
            session = [int(ids[r]) for r in prefixes[i % len(prefixes)]]
            picked = rec.suggest(session, minutes=minutes)
            total = float(sum(library.durations[library.row_of[s.track_id]] for s in picked))
            assert total <= minutes * 60 + 1e-6, (total, minutes)
            ratios.append(total / (minutes * 60))
        print(
            f"time budget {minutes:g} min: fill mean {np.mean(ratios):.3f}, min "
            f"{np.min(ratios):.3f}, share ≥ 0.8: {np.mean(np.array(ratios) >= 0.8):.2f} (n=100)"
        )


def suggest_command(profile: Profile, library, prefixes) -> None:
    """``continuo suggest --json`` in-process: a cold start (the profile read, the library
    indexed, the model fitted) and then the ranking, as a script calling it pays."""
    import contextlib
    import io

    from player.cli import main as cli_main

    timings = Timings()
    paths = {int(t.id or 0): t.path for t in all_tracks(open_database(profile.database))}
    for i in range(3):
        after = [paths[int(library.track_ids[r])] for r in prefixes[i]]
        argv = ["suggest", "--profile", str(profile.root), "--json"]
        for path in after:
            argv += ["--after", path]
        with timings, contextlib.redirect_stdout(io.StringIO()):
            assert cli_main(argv) == 0
    print(f"continuo suggest --json, cold (whole command in-process): {timings}")


if __name__ == "__main__":
    main()
