"""``continuo-train fit`` / ``predict`` / ``export`` end to end on a tiny session TSV."""

import json

import pytest

from tests.trainer.synthetic import cyclic_sessions, write_tsv
from trainer.cli import main


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    tsv = write_tsv(cyclic_sessions(200), root / "sessions.tsv")
    out = root / "model"
    code = main(
        [
            "fit",
            "--sessions",
            str(tsv),
            "--out",
            str(out),
            "--hidden",
            "32",
            "--lr",
            "0.01",
            "--max-steps",
            "40",
            "--device",
            "cpu",
            "--quiet",
        ]
    )
    assert code == 0
    return root, tsv, out


def test_fit_writes_model_checkpoint_and_metrics(fitted):
    _, _, out = fitted
    assert {p.name for p in out.iterdir()} >= {
        "model.onnx",
        "model.vocab.json",
        "checkpoint.pt",
        "metrics.json",
    }
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 40 and metrics["events_per_s"] > 0 and metrics["epoch_seconds"] > 0
    assert metrics["validation"]["MRR@20"] > 0.3  # successor pattern; chance is about 0.08
    assert metrics["data"]["sessions"] == 180  # the last 10 % by id validate


def test_predict_writes_one_line_per_position(fitted, tmp_path):
    root, _, out = fitted
    tsv = root / "new.tsv"
    tsv.write_text(
        "session_id\tposition\titem_id\tartist\ttitle\n"
        "x\t0\ti5\ta0\tt\nx\t1\ti6\ta1\tt\nx\t2\ti6\ta1\tt\nx\t3\tnever-seen\tnobody\tt\n"
        "y\t0\ti40\ta6\tt\ny\t1\ti41\ta6\tt\n"
    )
    pred = tmp_path / "pred.jsonl"
    assert (
        main(
            [
                "predict",
                "--model",
                str(out / "model.onnx"),
                "--sessions",
                str(tsv),
                "--k",
                "20",
                "--out",
                str(pred),
            ]
        )
        == 0
    )
    lines = [json.loads(line) for line in pred.read_text().splitlines()]
    assert [(p["session_id"], p["position"]) for p in lines] == [
        ("x", 1),
        ("x", 2),
        ("x", 3),
        ("y", 1),
    ]
    assert all(len(p["items"]) == 20 and len(set(p["items"])) == 20 for p in lines)
    assert "i5" not in lines[0]["items"] and not {"i5", "i6"} & set(lines[2]["items"])
    assert lines[0]["items"][0] == "i6" and lines[3]["items"][0] == "i41"  # the learned successor


def test_export_command_rewrites_the_model(fitted, tmp_path):
    _, _, out = fitted
    target = tmp_path / "again.onnx"
    assert main(["export", str(out / "checkpoint.pt"), "--out", str(target)]) == 0
    assert target.stat().st_size > 10_000 and (tmp_path / "model.vocab.json").exists()


def test_missing_file_is_a_message_not_a_traceback(tmp_path, capsys):
    assert (
        main(["fit", "--sessions", str(tmp_path / "nope.tsv"), "--out", str(tmp_path / "m")]) == 2
    )
    assert "nope.tsv" in capsys.readouterr().err


def test_from_history_refuses_a_short_history(tmp_path, capsys):
    from player.profile import Profile
    from player.store.db import open_database

    profile = Profile(tmp_path / "profile").create()
    open_database(profile.database).close()
    assert main(["from-history", "--profile", str(profile.root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "0 listening sessions" in err and "needs 30 more" in err
    assert not (profile.models / "current").exists()
