import contextlib
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from player.analysis.embedding import load_embedding
from player.analysis.segments import SegmentClassModel
from player.analysis.version import ANALYSIS_VERSION
from player.analysis.worker import CRASHED, AnalysisService
from player.faults import Faults
from player.store import open_database
from player.store.features import (
    failures,
    key_and_tuning,
    library_content_vectors,
    load_histograms,
    tracks_needing_analysis,
)
from player.store.tracks import Track, all_tracks, upsert_tracks
from tests.analysis.synth import melody, write, write_corrupt


@pytest.fixture
def library(tmp_path):
    """Four good files, one corrupt, one silent."""
    music = tmp_path / "music"
    music.mkdir()
    paths = [write(music / f"{i}-good.wav", melody(8, seed=i)) for i in range(4)]
    paths.append(write_corrupt(music / "4-corrupt.wav"))
    paths.append(write(music / "5-silent.wav", 0.0 * melody(8)))
    db_path = tmp_path / "profile" / "continuo.db"
    db = open_database(db_path)
    upsert_tracks(db, [Track(path=str(p), size=1, mtime_ns=1, title=p.stem) for p in paths])
    return db_path, db


def by_name(db):
    return {t.id: os.path.basename(t.path) for t in all_tracks(db)}


def run(service, timeout=120):
    service.start()
    assert service.wait(timeout), "the analysis did not finish"


def test_library_is_analysed_with_reasons_and_resumes(library):
    db_path, db = library
    seen = []
    run(AnalysisService(db_path, on_progress=seen.append))
    names = by_name(db)
    ids, histograms = load_histograms(db, ANALYSIS_VERSION)
    assert sorted(names[i] for i in ids) == [f"{i}-good.wav" for i in range(4)]
    assert histograms.shape[1] >= 32 and (histograms.sum(axis=1) > 1).all()
    shipped, why = load_embedding(SegmentClassModel.load())
    assert shipped is not None, why
    vector_ids, vectors = library_content_vectors(db, ANALYSIS_VERSION)  # the shipped embedding's
    assert vector_ids.tolist() == ids.tolist() and vectors.shape[1] == shipped.output_dim
    reasons = {names[i]: r for i, r in failures(db, ANALYSIS_VERSION).items()}
    assert reasons == {"4-corrupt.wav": "cannot be decoded", "5-silent.wav": "silent"}
    last = seen[-1]
    assert (last.done, last.total, last.failed, last.finished) == (6, 6, 2, True)
    assert [p.done for p in seen if p.current is None and p.done > 0 and not p.finished] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert all(p.eta_s >= 0 for p in seen if p.done)
    again = []
    run(AnalysisService(db_path, on_progress=again.append))
    assert again[-1].total == 0 and again[-1].finished  # nothing redone after a restart


def test_a_file_not_on_disk_is_left_for_a_later_run_not_failed(library):
    db_path, db = library
    names = {name: i for i, name in by_name(db).items()}
    good = [p for p in (db_path.parent.parent / "music").iterdir() if p.name == "0-good.wav"][0]
    away = good.with_name("away.wav")
    good.rename(away)  # its drive unplugged, say
    seen = []
    run(AnalysisService(db_path, on_progress=seen.append))
    assert (seen[-1].total, seen[-1].failed) == (5, 2)
    assert names["0-good.wav"] not in failures(db, ANALYSIS_VERSION)
    assert names["0-good.wav"] not in load_histograms(db, ANALYSIS_VERSION)[0].tolist()
    away.rename(good)  # back: the next run analyses it
    again = []
    run(AnalysisService(db_path, on_progress=again.append))
    assert (again[-1].total, again[-1].failed) == (1, 0)
    assert names["0-good.wav"] in load_histograms(db, ANALYSIS_VERSION)[0].tolist()


def test_pause_holds_and_cancel_leaves_the_rest_for_later(library):
    db_path, db = library
    first_done = threading.Event()

    def on_progress(p):
        if p.done == 1:
            first_done.set()

    service = AnalysisService(db_path, on_progress=on_progress)
    service.start()
    assert first_done.wait(60)
    done_before = service.progress.done
    service.pause()
    assert not service.wait(1.5)  # paused: the dispatcher is waiting
    assert service.progress.paused
    service.cancel()
    assert service.wait(20)
    # at most the file in hand when pause() came was finished after it (cancel leaves one in
    # hand unfinished); whatever the machine's speed, nothing after that
    done_while_paused = service.progress.done
    assert done_before <= done_while_paused <= done_before + 1
    assert len(tracks_needing_analysis(db, ANALYSIS_VERSION)) == 6 - done_while_paused


def run_signalling_the_child(db_path, sent: signal.Signals) -> AnalysisService:
    """Run the analysis; the child gets ``sent`` once it has taken ``1-good.wav``."""
    pids = []

    def on_progress(p):
        if p.current and p.current.endswith("1-good.wav") and not pids:
            pids.append(service.child_pid)
            os.kill(service.child_pid, sent)

    service = AnalysisService(db_path, on_progress=on_progress)
    run(service)
    return service


def test_a_killed_child_marks_its_file_and_a_new_one_goes_on(library):
    db_path, db = library
    service = run_signalling_the_child(db_path, signal.SIGKILL)
    names = by_name(db)
    reasons = {names[i]: r for i, r in failures(db, ANALYSIS_VERSION).items()}
    assert reasons["1-good.wav"] == CRASHED
    ids, _ = load_histograms(db, ANALYSIS_VERSION)
    assert sorted(names[i] for i in ids) == ["0-good.wav", "2-good.wav", "3-good.wav"]
    assert service.progress.done == 6


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_child_stopped_from_outside_leaves_its_file_for_the_next_run(library, stop):
    """Logout's SIGTERM to the session, a hang-up: the file in hand is not the cause, so it is
    not stored as failed (it would never be analysed again); the rest goes on."""
    db_path, db = library
    service = run_signalling_the_child(db_path, stop)
    names = by_name(db)
    assert "1-good.wav" not in {names[i] for i in failures(db, ANALYSIS_VERSION)}
    left = [names[i] for i, _ in tracks_needing_analysis(db, ANALYSIS_VERSION)]
    assert left == ["1-good.wav"]
    ids, _ = load_histograms(db, ANALYSIS_VERSION)
    assert sorted(names[i] for i in ids) == ["0-good.wav", "2-good.wav", "3-good.wav"]
    assert (service.progress.done, service.progress.total) == (5, 5)


def test_ctrl_c_to_the_process_group_leaves_the_children_to_the_app(library):
    """Ctrl+C in a terminal reaches every process of the group: the app closes on it and stops
    its children itself; a child that died of it first had its file stored as crashed."""
    db_path, db = library
    run_signalling_the_child(db_path, signal.SIGINT)
    assert failures(db, ANALYSIS_VERSION).keys() == {
        i for i, name in by_name(db).items() if name in ("4-corrupt.wav", "5-silent.wav")
    }


def test_two_workers_analyse_the_library_in_two_processes_with_the_same_results(library, tmp_path):
    db_path, db = library
    seen = []
    service = AnalysisService(db_path, on_progress=seen.append, workers=2)
    policies = {}  # child pid → its scheduling policy, seen once it has answered

    def on_progress(p):
        seen.append(p)
        for pid in service.child_pids if p.done else ():
            with contextlib.suppress(ProcessLookupError):
                policies[pid] = os.sched_getscheduler(pid)

    service.on_progress = on_progress
    run(service)
    assert len(policies) == 2  # both children took files
    assert set(policies.values()) == {os.SCHED_IDLE}  # playback comes first
    names = by_name(db)
    ids, histograms = load_histograms(db, ANALYSIS_VERSION)
    assert sorted(names[i] for i in ids) == [f"{i}-good.wav" for i in range(4)]
    reasons = {names[i]: r for i, r in failures(db, ANALYSIS_VERSION).items()}
    assert reasons == {"4-corrupt.wav": "cannot be decoded", "5-silent.wav": "silent"}
    assert [p.done for p in seen if p.finished] == [6]
    assert sorted({p.done for p in seen}) == list(range(7))  # each file counted once

    # the same library analysed by one worker gives the same histograms
    one = tmp_path / "one.db"
    single = open_database(one)
    upsert_tracks(
        single, [Track(path=t.path, size=1, mtime_ns=1, title=t.title) for t in all_tracks(db)]
    )
    run(AnalysisService(one, workers=1))
    ids_one, histograms_one = load_histograms(single, ANALYSIS_VERSION)
    by_path = {names[i]: h for i, h in zip(ids, histograms, strict=True)}
    names_one = by_name(single)
    for i, h in zip(ids_one, histograms_one, strict=True):
        assert np.allclose(by_path[names_one[i]], h)


def test_workers_must_be_at_least_one(library):
    with pytest.raises(ValueError, match="at least 1"):
        AnalysisService(library[0], workers=0)


def test_key_and_concert_pitch_are_stored_the_title_naming_the_key(tmp_path):
    from tests.analysis.test_cli import e_major_cadence

    music = tmp_path / "music"
    music.mkdir()
    paths = [
        write(music / "modern.wav", e_major_cadence(443.0)),
        write(music / "period.wav", e_major_cadence(415.0 * 2 ** (1 / 12))),  # F major, A 415
    ]
    titles = ["Cadence", "Chorale in F major"]
    db_path = tmp_path / "continuo.db"
    db = open_database(db_path)
    upsert_tracks(
        db,
        [
            Track(path=str(p), size=1, mtime_ns=1, title=t)
            for p, t in zip(paths, titles, strict=True)
        ],
    )
    run(AnalysisService(db_path, workers=1))
    stored = {by_name(db)[i]: key_and_tuning(db, i, ANALYSIS_VERSION) for i in by_name(db)}
    assert stored["modern.wav"][0] == "E major"
    assert stored["modern.wav"][1] == pytest.approx(443.0, abs=0.5)
    assert stored["period.wav"][0] == "F major"
    assert stored["period.wav"][1] == pytest.approx(415.0, abs=0.5)


def test_a_refused_embedding_is_said_once_and_the_library_ranks_by_segment_classes(
    library, tmp_path
):
    db_path, db = library
    damaged = tmp_path / "embedding.onnx"
    damaged.write_bytes(b"not a model")
    faults = Faults()
    heard: list[str] = []
    faults.subscribe(heard.append)
    run(AnalysisService(db_path, embedding_path=damaged, faults=faults, workers=1))
    (message,) = heard
    assert message.startswith("Content embedding not used (") and "damaged" in message
    ids, vectors = library_content_vectors(db, ANALYSIS_VERSION)
    histogram_ids, histograms = load_histograms(db, ANALYSIS_VERSION)
    assert ids.tolist() == histogram_ids.tolist() and len(ids) == 4
    assert vectors.shape == histograms.shape  # TF-IDF over the classes, not learned vectors


def test_the_process_that_runs_the_service_does_not_load_the_signal_stack():
    """The GUI process runs the service; scipy, librosa and the decoders are the children's
    (~0.5 s and ~30 MB the app would otherwise spend at its start)."""
    probe = (
        "import sys; import player.analysis.worker; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'scipy', 'librosa', 'soundfile', 'soxr', 'onnxruntime'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
