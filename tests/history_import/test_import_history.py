"""``continuo import-history``: Last.fm CSV, ListenBrainz JSON and Continuo's own history, matched
to a generated library with several recordings per work, into a real profile."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from player.cli import main
from player.store.imports import imported_count
from player.store.insights import compute_insights
from player.store.plays import all_plays
from tests.recommend.recordings_library import COMPOSERS, RECORDINGS, build_recordings
from trainer.readers.profile import read_profile

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def lib(tmp_path):
    return build_recordings(tmp_path / "profile")


def run(lib, capsys, path) -> tuple[int, str, str]:
    code = main(["import-history", "--profile", str(lib.profile.root), str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lastfm_date(when: datetime) -> str:
    return when.strftime("%d %b %Y %H:%M")


def test_lastfm_csv_is_matched_by_composer_work_movement_and_album(lib, capsys, tmp_path):
    period_album = f"{COMPOSERS[1]}: String Quartet No. 2 ({RECORDINGS[1][0]})"
    slow_album = f"{COMPOSERS[2]}: Piano Sonata No. 3 ({RECORDINGS[2][0]})"
    rows = [
        # composer as artist, "Work: II. Movement", the album naming the period recording
        f'{COMPOSERS[1]},"{period_album}",String Quartet No. 2: II. Adagio,{lastfm_date(NOW)}',
        # the composer spelled otherwise, the movement by name
        f'"Bach, J.S.",,Symphony No. 1: Finale,{lastfm_date(NOW - timedelta(hours=1))}',
        # a performer as artist: matched among the tracks naming them
        f'Celibidache,"{slow_album}",Piano Sonata No. 3: Menuetto,'
        + lastfm_date(NOW - timedelta(hours=2)),
        f"Taylor Swift,1989,Shake It Off,{lastfm_date(NOW - timedelta(hours=3))}",
        "Joseph Haydn,,Symphony No. 1: Allegro",  # no date
        "Joseph Haydn,,Symphony No. 1: Allegro,yesterday at noon",
    ]
    path = tmp_path / "scrobbles.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(lib, capsys, path)
    assert code == 0
    assert "4 listens read (lastfm): 3 matched, 1 unmatched" in out
    assert "3 new plays added" in out and "2 bad lines" in out
    assert "not in the library: Taylor Swift – Shake It Off" in out
    assert f"{path}:5: expected artist,album,track,date; found 3 fields" in err
    assert f"{path}:6: not a time: 'yesterday at noon'" in err
    played = {p.track_id for p in all_plays(lib.db)}
    # the album chose the recording; Bach's Finale in the first recording (library order);
    # the performer and album chose Beethoven's sonata among four composers' of that name
    assert played == {lib.unit(1, 1, 1)[1], lib.unit(0, 0, 0)[3], lib.unit(2, 2, 2)[2]}
    # a second import of the same file adds nothing
    code, out, _ = run(lib, capsys, path)
    assert code == 0 and "3 matched" in out and "0 new plays added" in out
    assert len(all_plays(lib.db)) == 3 and imported_count(lib.db) == 3


def test_headed_lastfm_and_listenbrainz_exports(lib, capsys, tmp_path):
    headed = tmp_path / "lastfm.csv"
    uts = int((NOW - timedelta(days=1)).timestamp())
    headed.write_text(
        "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        f'{uts},x,{COMPOSERS[3]},,,,"Symphony No. 1: I. Allegro",\n',
        encoding="utf-8",
    )
    code, out, _ = run(lib, capsys, headed)
    assert code == 0 and "1 matched, 0 unmatched, 1 new plays added" in out
    listens = [
        {
            "listened_at": int((NOW - timedelta(minutes=m)).timestamp()),
            "track_metadata": {
                "artist_name": "Ludwig van Beethoven",
                "track_name": f"Piano Sonata No. 3 - {number}. {name}",
                "release_name": "",
            },
        }
        for m, (number, name) in zip((30, 20), ((1, "Allegro"), (2, "Adagio")), strict=True)
    ]
    listens.append({"track_metadata": {"artist_name": "X", "track_name": "Y"}})
    export = tmp_path / "listens.json"
    export.write_text(json.dumps(listens, indent=2), encoding="utf-8")
    code, out, err = run(lib, capsys, export)
    assert code == 0
    assert "2 listens read (listenbrainz): 2 matched, 0 unmatched, 2 new plays added" in out
    assert f"{export}:" in err and "listened_at is not a time (None)" in err
    line = int(err.split(f"{export}:")[1].split(":")[0])
    starts = [n for n, text in enumerate(export.read_text().splitlines(), 1) if text == "  {"]
    assert line == starts[2]  # where the third listen, the bad one, starts


def test_continuos_own_history_round_trips_into_another_profile(lib, capsys, tmp_path):
    start = NOW - timedelta(days=3)
    lib.play(lib.unit(0, 1, 2), start)
    lib.play(lib.unit(2, 0, 1)[:2], start + timedelta(hours=2), ms=12_000, ended="skipped")
    assert main(["history", "--profile", str(lib.profile.root), "--json"]) == 0
    exported = capsys.readouterr().out
    history = tmp_path / "history.json"
    history.write_text(exported, encoding="utf-8")
    other = build_recordings(tmp_path / "other")  # the same library, another profile
    code, out, _ = run(other, capsys, history)
    assert code == 0 and "6 listens read (continuo): 6 matched, 0 unmatched, 6 new plays" in out
    assert main(["history", "--profile", str(other.profile.root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(exported)
    # again, and into the profile it came from: nothing new
    assert "0 new plays added" in run(other, capsys, history)[1]
    assert "0 new plays added" in run(lib, capsys, history)[1]


def test_imported_plays_feed_no_repeat_and_sessions(lib, capsys, tmp_path):
    brahms = lib.unit(3, 0, 0)
    rows = []
    for days in (30, 20, 10, 1):  # the most played work, last heard in full yesterday
        when = NOW - timedelta(days=days)
        for track_id in brahms:
            track = lib.tracks[track_id]
            rows.append(f'{COMPOSERS[3]},"{track.album}","{track.title}",{lastfm_date(when)}')
            when += timedelta(seconds=track.duration_s)
    path = tmp_path / "brahms.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(lib, capsys, path)
    assert code == 0 and "16 matched" in out
    args = ["suggest", "--profile", str(lib.profile.root), "--json", "--mode", "popular"]
    assert main([*args, "--after", lib.path(lib.pieces[COMPOSERS[0]])]) == 0
    document = json.loads(capsys.readouterr().out)
    assert all(
        u["work"] != "Symphony No. 1" or u["composer"] != COMPOSERS[3] for u in document["units"]
    )
    assert "heard in full yesterday" in document["units"][0]["reason"]
    assert main(["history", "--profile", str(lib.profile.root), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4  # four sessions
    # Insights and the trainer's profile reader see them as any play
    insights = compute_insights(lib.db)
    assert int(insights.plays.sum()) == 16 and insights.works_heard == 1
    data, _ = read_profile(lib.profile.root)
    assert len(data.sessions) == 4 and all(len(s) == 4 for s in data.sessions)


def test_a_file_that_is_no_history_is_refused_and_nothing_stored(lib, capsys, tmp_path):
    foreign = tmp_path / "settings.json"
    foreign.write_text('{"volume": 3}', encoding="utf-8")
    code, _, err = run(lib, capsys, foreign)
    assert code == 1 and "neither a ListenBrainz export nor Continuo's history --json" in err
    code, _, err = run(lib, capsys, tmp_path / "missing.csv")
    assert code == 1 and "missing.csv" in err
    assert all_plays(lib.db) == []


def test_listenbrainz_zip_export_with_json_lines(lib, capsys, tmp_path):
    import zipfile

    lines = [
        json.dumps(
            {
                "listened_at": int((NOW - timedelta(days=1, minutes=m)).timestamp()),
                "track_metadata": {
                    "artist_name": COMPOSERS[0],
                    "track_name": f"String Quartet No. 2: {name}",
                    "release_name": "",
                },
            }
        )
        for m, name in ((40, "Allegro"), (30, "Adagio"))
    ] + ["{not json"]
    export = tmp_path / "listenbrainz.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("listens/2026/11.jsonl", "\n".join(lines) + "\n")
        archive.writestr("user.json", "{}")
    code, out, err = run(lib, capsys, export)
    assert code == 0 and "2 listens read (listenbrainz): 2 matched" in out
    assert f"{export}/listens/2026/11.jsonl:3: not JSON" in err
