"""Trainer input that used to end in a traceback: absurd dates, a foreign ONNX file, a negative
list length, and a huge junk file, which must be refused without being read into memory."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from trainer.cli import main as train_main
from trainer.readers import ReadError, read_sessions

GOOD = ["Bach,Album,Prelude,01 Jan 2021 10:00", "Bach,Album,Fugue,01 Jan 2021 10:05"]


@pytest.mark.parametrize("date", ["inf", "-inf", "nan", "99999999999999", "1e400"])
def test_absurd_csv_dates_are_reported_by_file_and_line(tmp_path, date):
    path = tmp_path / "scrobbles.csv"
    path.write_text("\n".join([*GOOD, f"Bach,Album,Gigue,{date}"]) + "\n")
    data, report = read_sessions(path)
    assert report.skipped == 1 and report.events == 2
    assert report.problems == [f"{path}:3: date {date!r} is not understood"]

    path.write_text(f"Bach,Album,Gigue,{date}\n")
    with pytest.raises(ReadError) as info:
        read_sessions(path)
    assert f"{path}:1: date {date!r} is not understood" in info.value.detail


def session_tsv(tmp_path):
    path = tmp_path / "sessions.tsv"
    path.write_text("session_id\titem_id\n1\ta\n1\tb\n")
    return path


def test_predict_refuses_an_unrelated_onnx_model(tmp_path, capsys):
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "unrelated",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, tmp_path / "model.onnx")
    out = tmp_path / "out.jsonl"
    code = train_main(
        [
            "predict",
            "--model",
            str(tmp_path / "model.onnx"),
            "--sessions",
            str(session_tsv(tmp_path)),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Not a Continuo model" in err and "Traceback" not in err
    assert not out.exists()


def test_predict_refuses_a_list_length_below_one(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code = train_main(
        [
            "predict",
            "--model",
            str(tmp_path / "none.onnx"),
            "--sessions",
            str(session_tsv(tmp_path)),
            "--out",
            str(out),
            "--k",
            "-5",
        ]
    )
    assert code == 2 and "--k must be at least 1, not -5" in capsys.readouterr().err


_READ_IN_CHILD = """
import resource, sys
from trainer.readers import ReadError, read_sessions
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_sessions(sys.argv[1])
except ReadError as error:
    print(error.short)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize("junk", ["zeros", "random"])
def test_huge_junk_file_is_refused_in_bounded_memory(tmp_path, junk):
    """A 2 GB file of zeros (sparse: no disk used) and 64 MB of random bytes, in a child whose
    peak memory is measured around the read: both are refused after reading their first lines only."""
    path = tmp_path / "history.tsv"
    with open(path, "wb") as out:
        if junk == "zeros":
            out.truncate(2 << 30)
        else:
            rng = np.random.default_rng(0)
            for _ in range(16):
                out.write(rng.bytes(4 << 20))
    done = subprocess.run(
        [sys.executable, "-c", _READ_IN_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == 0, done.stderr
    message, grown_mb = done.stdout.strip().splitlines()
    assert message in (f"{path}:1: binary data, not a text file", f"{path}: not a text file")
    assert int(grown_mb) < 32  # peak memory grew by a few lines' worth, not by the file
