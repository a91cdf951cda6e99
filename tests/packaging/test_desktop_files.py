"""The desktop entry, AppStream metainfo and icon are well-formed, agree with each other, and install."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
APP_ID = "io.github.continuo.Continuo"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(PACKAGING / "continuo.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_fields():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "continuo %F"
    assert entry["Icon"] == APP_ID
    assert entry["Categories"] == "AudioVideo;Audio;Player;"


def test_metainfo_agrees_with_desktop_entry_and_icon():
    root = ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == "continuo.desktop"
    assert root.findtext("icon") == _desktop_entry()["Icon"]
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert len(root.findtext("summary")) < 80
    assert root.find("releases/release").get("version")
    svg = ET.parse(PACKAGING / f"{APP_ID}.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 128 128"


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("desktop-file-validate", ["continuo.desktop"]),
        ("appstreamcli", ["validate", "--no-net", f"{APP_ID}.metainfo.xml"]),
    ],
)
def test_freedesktop_validators_accept_the_files(tool, args):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    result = subprocess.run([tool, *args], cwd=PACKAGING, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_script_installs_and_removes(tmp_path):
    bin_dir = Path(sys.executable).parent
    if shutil.which("continuo", path=str(bin_dir)) is None:
        pytest.skip("the continuo entry point is not installed beside this Python")
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    script = PACKAGING / "install-desktop-files.sh"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    installed = [
        tmp_path / "applications" / "continuo.desktop",
        tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml",
        tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    ]
    assert all(p.is_file() for p in installed)
    assert "Exec=continuo %F" in installed[0].read_text()
    subprocess.run(["bash", str(script), "--remove"], env=env, check=True, capture_output=True)
    assert not any(p.exists() for p in installed)
