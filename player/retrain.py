"""Runs "Retrain on my history" in a separate process and turns its progress lines into events.

The player never imports torch: the trainer (``python -m trainer.retrain_job``, the ``train``
extra) runs as a child at lowered priority, writes only into a staging folder under
``PROFILE/models`` and installs the new model itself when it is not worse than the current one.
Cancelling ends the child and removes the staging folder, so nothing half-made is left.
No Qt here: the dialog polls :meth:`RetrainJob.events` from a timer.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from player.profile import Profile

log = logging.getLogger(__name__)

JOB_MODULE = "trainer.retrain_job"
INSTALL_HINT = (
    "Retraining needs the optional training extra (PyTorch). Install it with\n"
    "    .venv/bin/pip install -e '.[train]'\n"
    "in a source checkout, or\n"
    "    pip install 'continuo[train]'\n"
    "where Continuo was installed with pip, then try again."
)


def train_extra_available(python: str = sys.executable, timeout_s: float = 60.0) -> bool:
    """Whether ``python`` has the ``train`` extra: a child process loads PyTorch and the trainer.

    The player itself never loads PyTorch; only this probe's child does.
    """
    modules = ", ".join(("torch", JOB_MODULE))
    try:
        done = subprocess.run(
            [python, "-c", f"import {modules}"],
            capture_output=True,
            timeout=timeout_s,
            cwd=_source_root(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _source_root() -> Path:
    """The folder holding ``player/`` and ``trainer/`` (the child imports both from there)."""
    return Path(__file__).resolve().parent.parent


@dataclass
class Event:
    """One parsed progress line: ``kind`` is start, progress, evaluating, result, refused,
    error, or (made here) ``ended`` with the exit code and the last lines of stderr."""

    kind: str
    data: dict = field(default_factory=dict)


def parse_line(line: str) -> Event | None:
    """An :class:`Event` from one line of the child's stdout; other output is ignored."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or "event" not in value:
        return None
    kind = value.pop("event")
    return Event(str(kind), value)


def too_little_history(data: dict) -> str:
    """The refusal the listener reads, with both numbers."""
    have, need = data.get("sessions", 0), data.get("needed", 0)
    return (
        f"Retraining needs at least {need} listening sessions of two or more plays; "
        f"you have {have}. Listen to {need - have} more sessions and try again — until then "
        "Up next uses content similarity, your co-occurrences and popularity."
    )


class RetrainJob:
    """One run of the trainer child for a profile.

    Parameters
    ----------
    profile : Profile
    time_budget_s : float
        Training time the child may spend (it stops early when it stops improving).
    python : str
        The interpreter that has the ``train`` extra (by default this one).
    extra_args : list of str
        More options for the child (tests pass ``--seed``).
    """

    def __init__(
        self,
        profile: Profile,
        *,
        time_budget_s: float = 120.0,
        python: str = sys.executable,
        extra_args: list[str] | None = None,
    ) -> None:
        if time_budget_s < 0:
            raise ValueError(f"time_budget_s must be at least 0, not {time_budget_s}")
        self.profile, self.time_budget_s, self.python = profile, time_budget_s, python
        self.extra_args = list(extra_args or [])
        self.staging = profile.models / f".retrain-{time.time_ns()}"
        self._events: queue.Queue[Event] = queue.Queue()
        self._process: subprocess.Popen | None = None
        self._cancelled = False
        self._stderr: list[str] = []

    def start(self) -> None:
        self.profile.models.mkdir(parents=True, exist_ok=True)
        command = [
            self.python,
            "-m",
            JOB_MODULE,
            "--profile",
            str(self.profile.root),
            "--staging",
            str(self.staging),
            "--time-budget-s",
            str(self.time_budget_s),
            *self.extra_args,
        ]
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=_source_root(),
        )
        threading.Thread(target=self._read_stderr, daemon=True).start()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr = [*self._stderr[-19:], line.rstrip()]

    def _read_stdout(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            event = parse_line(line)
            if event is not None:
                self._events.put(event)
        code = process.wait()
        if code != 0 or self._cancelled:
            shutil.rmtree(self.staging, ignore_errors=True)
        time.sleep(0.05)  # let the stderr reader take the last lines
        self._events.put(
            Event("ended", {"code": code, "cancelled": self._cancelled, "stderr": self._stderr})
        )
        if code not in (0, 3) and not self._cancelled:
            log.warning("retrain child ended with %s: %s", code, "\n".join(self._stderr))

    def events(self) -> list[Event]:
        """The events that arrived since the last call (never blocks)."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def cancel(self) -> None:
        """End the child (it installs nothing) and remove its staging folder."""
        if self._process is None:
            return
        self._cancelled = True
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.staging, ignore_errors=True)

    def wait(self, timeout_s: float | None = None) -> int:
        assert self._process is not None
        return self._process.wait(timeout_s)
