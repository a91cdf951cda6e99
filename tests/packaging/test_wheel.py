"""The built wheel carries what the app needs beside its code, and ``continuo --demo`` runs from it.

The wheel is built from this checkout and installed (without its dependencies) into a fresh
virtual environment that borrows the test environment's installed packages through a path
file; the player module then comes from the new environment, not from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.continuo.Continuo"
SHIPPED = [
    "player/assets/models/segment-classes-v1.npz",
    "player/assets/models/content-embedding-v1.onnx",
    "player/assets/demo-profile/history.json",
    "player/assets/demo-profile/models/current/model.onnx",
    "player/assets/demo/README.md",
    "continuo-0.1.0.data/data/share/applications/continuo.desktop",
    f"continuo-0.1.0.data/data/share/metainfo/{APP_ID}.metainfo.xml",
    f"continuo-0.1.0.data/data/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    # A copy, so the build's egg-info and build/ folders never land in the checkout.
    shutil.copytree(
        ROOT,
        source / "continuo",
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".benchmarks"
        ),
    )
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(  # the PEP 517 hook pip would call, without pip's start-up
        [sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(out)!r})"],
        cwd=source / "continuo", check=True, capture_output=True, text=True,
    )  # fmt: skip
    (built,) = out.glob("continuo-*.whl")
    return built


def test_wheel_carries_assets_and_desktop_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert all(name in names for name in SHIPPED), sorted(set(SHIPPED) - names)
    demo = [n for n in names if n.startswith("player/assets/demo/") and n.endswith(".ogg")]
    in_checkout = list((ROOT / "assets" / "demo").rglob("*.ogg"))
    assert len(demo) == len(in_checkout) >= 8
    assert not any(n.startswith(("assets/", "tests/")) for n in names)


def test_demo_runs_from_an_installed_wheel_in_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # The dependencies (PySide6, numpy, …) come from the test environment, after the new site.
    Path(site, "test-env-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"

    where = subprocess.run(
        [python, "-c", "import player.resources as r; print(r.ASSETS)"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where) == Path(site) / "player" / "assets"
    assert (venv / "share" / "applications" / "continuo.desktop").is_file()

    profile = tmp_path / "profile"
    result = subprocess.run(
        [venv / "bin" / "continuo", "--demo", "--profile", str(profile), "--no-audio",
         "--quit-after", "0.5", "-platform", "offscreen"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    history = subprocess.run(
        [venv / "bin" / "continuo", "history", "--profile", str(profile)],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert history.startswith("Session 1: ")
    assert (profile / "models" / "current" / "model.onnx").is_file()
