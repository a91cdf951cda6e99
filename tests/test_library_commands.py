"""``continuo scan`` analyses what it added, as the window does after a scan."""

from __future__ import annotations

from player.analysis.version import ANALYSIS_VERSION
from player.cli import main
from player.store.db import open_database
from player.store.features import tracks_needing_analysis
from tests.library.audio_files import tag_vorbis, write_audio


def test_scan_analyses_new_tracks_unless_told_not_to(tmp_path, capsys):
    music = tmp_path / "music"
    for n in (1, 2):
        tag_vorbis(write_audio(music / f"{n}.flac", seconds=3.0, freq=220.0 * n), title=f"T{n}")
    profile = tmp_path / "profile"
    assert main(["scan", "--profile", str(profile), "--no-analysis", str(music)]) == 0
    db = open_database(profile / "continuo.db")
    assert len(tracks_needing_analysis(db, ANALYSIS_VERSION)) == 2
    assert "Analysis" not in capsys.readouterr().err
    assert main(["scan", "--profile", str(profile), str(music)]) == 0
    assert tracks_needing_analysis(db, ANALYSIS_VERSION) == []
    assert "Analysis done (2 tracks, 0 failed)" in capsys.readouterr().err
    db.close()


def test_scan_without_a_folder_says_so(tmp_path, capsys):
    assert main(["scan", "--profile", str(tmp_path / "p"), str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err and "no music folder to scan" in err


def test_library_of_an_empty_profile(tmp_path, capsys):
    assert main(["library", "--profile", str(tmp_path / "p"), "--json"]) == 1
    assert "no library" in capsys.readouterr().err
