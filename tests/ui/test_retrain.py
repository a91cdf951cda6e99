"""Tools → Retrain on my history, in the real window offscreen with the real trainer child."""

from __future__ import annotations

import random
import shutil

import pytest

from player.retrain import train_extra_available
from tests.recommend.conftest import build_library, sessions_apart
from tests.ui.test_window import close_window, open_window

pytest.importorskip("torch")  # the `train` extra the child needs

BUDGET_S = 15.0
CHILD_S = 120_000
"""Deadline (ms) for the trainer child to report: it runs at lowered priority, so on a loaded
machine (CI shares two cores) it gets the CPU last. Waiting longer only costs a failing run."""


def listen(library, n_sessions: int) -> None:
    """Sessions of three whole works with a habit to learn: work a, then a + 5, then a + 11."""
    keys = list(library.works)
    rng = random.Random(3)
    for start in sessions_apart(n_sessions):
        a = rng.randrange(len(keys))
        works = (keys[a], keys[(a + 5) % len(keys)], keys[(a + 11) % len(keys)])
        library.play_session([t for w in works for t in library.works[w]], start)


@pytest.fixture
def profile_with(tmp_path):
    def make(n_sessions: int):
        library = build_library(tmp_path / "profile")
        listen(library, n_sessions)
        library.db.close()
        return library

    return make


def leftovers(profile) -> list[str]:
    return sorted(p.name for p in profile.models.iterdir() if p.name.startswith("."))


def test_retrain_shows_progress_installs_and_hot_swaps_the_model(qtbot, qapp, profile_with):
    library = profile_with(40)
    window = open_window(qtbot, qapp, library.profile.root)
    try:
        recommender = window.services.recommender  # the window's own: its hot-swap is tested
        assert recommender is not None
        session = library.work("J. S. Bach", 0)
        before = recommender.suggest(session, n=3)
        assert before and "personal model" not in {s.source for s in before}

        dialog = window.features.retrain.open(time_budget_s=BUDGET_S)
        qtbot.waitUntil(
            lambda: dialog.bar.maximum() > 0 and dialog.bar.value() > 0, timeout=CHILD_S
        )
        assert "Step " in dialog.detail.text() and "validation MRR@20" in dialog.detail.text()
        assert " s left" in dialog.detail.text()
        qtbot.waitUntil(lambda: dialog.state in ("installed", "kept", "failed"), timeout=CHILD_S)
        assert dialog.state == "installed", dialog.detail.text()
        figures = dialog.comparison
        assert figures["current"] is None  # nothing installed before: compared with a fallback
        assert figures["new"]["mrr20"] >= figures["fallback"]["mrr20"] > 0
        assert "new model" in dialog.figures.text() and "best fallback" in dialog.figures.text()
        assert (library.profile.models / "current" / "model.onnx").is_file()
        assert not (library.profile.models / "current" / "checkpoint.pt").exists()
        assert leftovers(library.profile) == []

        after = recommender.suggest(session, n=3)  # the same object: swapped without a restart
        assert {s.source for s in after} == {"personal model"}
        assert not set(session) & {s.track_id for s in after}
        dialog.close()
    finally:
        close_window(window)


def test_cancel_ends_the_child_and_installs_nothing(qtbot, qapp, profile_with):
    library = profile_with(40)
    window = open_window(qtbot, qapp, library.profile.root)
    try:
        dialog = window.features.retrain.open(time_budget_s=60.0)
        qtbot.waitUntil(lambda: dialog.bar.value() > 0, timeout=CHILD_S)
        job = dialog.job
        dialog.cancel()
        assert dialog.state == "cancelled" and "nothing was installed" in dialog.headline.text()
        assert not job.running
        assert not (library.profile.models / "current").exists()
        assert leftovers(library.profile) == []
        dialog.close()

        dialog = window.features.retrain.open(time_budget_s=60.0)  # closing the window ends it too
        qtbot.waitUntil(lambda: dialog.job is not None and dialog.job.running, timeout=CHILD_S)
        job = dialog.job
    finally:
        close_window(window)
    assert not job.running and dialog.state == "cancelled"
    assert leftovers(library.profile) == []


def test_too_little_history_says_how_much_more_is_needed(qtbot, qapp, profile_with):
    library = profile_with(7)
    window = open_window(qtbot, qapp, library.profile.root)
    try:
        dialog = window.features.retrain.open()
        qtbot.waitUntil(lambda: dialog.state == "refused", timeout=CHILD_S)
        text = dialog.detail.text()
        assert "at least 30 listening sessions" in text and "you have 7" in text
        assert "23 more" in text
        assert not (library.profile.models / "current").exists()
        assert leftovers(library.profile) == []
        dialog.close()
    finally:
        close_window(window)


def test_without_the_train_extra_the_dialog_says_how_to_install_it(qtbot, qapp, profile_with):
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None or train_extra_available(python):
        pytest.skip("no system Python without torch to check against")
    library = profile_with(1)
    window = open_window(qtbot, qapp, library.profile.root)
    try:
        dialog = window.features.retrain.open(python=python)
        qtbot.waitUntil(lambda: dialog.state == "missing", timeout=CHILD_S)
        assert ".venv/bin/pip install -e '.[train]'" in dialog.detail.text()
        assert "pip install 'continuo[train]'" in dialog.detail.text()
        assert dialog.job is None
        dialog.close()
    finally:
        close_window(window)


def install_model_trained_on_everything(profile) -> None:
    """A current model that has seen the held-out sessions too: hard to beat on them."""
    from trainer.config import ModelConfig, TrainConfig
    from trainer.export import export
    from trainer.fit import SessionRecommender
    from trainer.readers.profile import read_profile

    data, _ = read_profile(profile.root)
    model = SessionRecommender(
        ModelConfig(hidden=32, heads=2, max_len=12, attn_layers=1, dropout=0.0),
        TrainConfig(max_steps=150, batch_sessions=8, lr=0.005, negatives=0, device="cpu"),
        progress=False,
    )
    model.fit(data)
    meta = export(model.state, profile.models / "current" / "model.onnx")
    assert meta["data_summary"]["sessions"] == 40


def test_a_worse_new_model_is_not_installed_and_both_figures_are_shown(qtbot, qapp, profile_with):
    library = profile_with(40)
    install_model_trained_on_everything(library.profile)
    current = library.profile.models / "current" / "model.onnx"
    before = current.read_bytes()
    window = open_window(qtbot, qapp, library.profile.root)
    try:
        dialog = window.features.retrain.open(
            time_budget_s=1.0
        )  # a few steps: an undertrained model
        qtbot.waitUntil(lambda: dialog.state in ("installed", "kept", "failed"), timeout=CHILD_S)
        assert dialog.state == "kept", dialog.detail.text()
        new, old = dialog.comparison["new"]["mrr20"], dialog.comparison["current"]["mrr20"]
        assert new < old
        assert f"{new:.3f} < the current model {old:.3f}" in dialog.detail.text()
        assert f"new model {new:.3f}" in dialog.figures.text()
        assert f"current model {old:.3f}" in dialog.figures.text()
        assert current.read_bytes() == before
        assert leftovers(library.profile) == []
        dialog.close()
    finally:
        close_window(window)
