"""The history readers on good and malformed files: counts, file:line messages, session cuts."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from player.analysis.version import ANALYSIS_VERSION
from player.profile import Profile
from player.store.db import open_database
from player.store.features import TrackFeatures, save_features
from player.store.plays import end_play, start_play
from player.store.tracks import Track, all_tracks, upsert_tracks
from trainer.readers import NoSessionsError, ReadError, detect_format, read_sessions

HEADER = "session_id\tposition\titem_id\tartist\ttitle\n"


def keys(data, session: int) -> list[str]:
    return [data.items.keys[i] for i in data.sessions[session]]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_session_tsv_in_position_order(tmp_path):
    rows = [
        "s1\t2\tc\tArt C\tC",
        "s1\t0\ta\tArt A\tA",
        "s2\t0\ta\tArt A\tA",
        "s1\t1\tb\t\tB",
        "s2\t1\ta\tArt A\tA",
    ]
    path = tmp_path / "s.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(HEADER + "\n".join(rows) + "\n")
    data, report = read_sessions(path)
    assert data.session_ids == ["s1", "s2"]
    assert keys(data, 0) == ["a", "b", "c"]
    assert keys(data, 1) == ["a", "a"]  # files in session form are used as given: no merging
    assert data.session_times is None
    assert data.artists.keys[data.item_artist[data.items.index("c")]] == "Art C"
    assert data.item_artist[data.items.index("b")] == 1  # no artist: UNKNOWN
    assert (report.events, report.sessions, report.skipped, report.reordered) == (5, 2, 0, 1)
    assert "1 sessions or logs were out of order" in report.summary()


def test_session_tsv_with_timestamps(tmp_path):
    path = write(
        tmp_path / "t.tsv",
        "session_id\ttimestamp\titem_id\nx\t2024-01-01T10:05:00Z\tb\nx\t2024-01-01T10:00:00\ta\n",
    )
    data, _ = read_sessions(path)
    assert keys(data, 0) == ["a", "b"]
    expected = datetime(2024, 1, 1, 10, tzinfo=UTC).timestamp()
    assert data.session_times[0].tolist() == [expected, expected + 300]


def test_malformed_tsv_lines_are_skipped_and_named(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_bytes(
        (
            HEADER
            + "s\t0\ta\tA\tt\n"
            + "s\t1\tb\n"
            + "s\tone\tc\tA\tt\n"
            + "s\t0\td\tA\tt\n"
            + "s\t2\te\tA\tt\n"
        ).encode()
        + b"s\t3\t\xff\xfe\tA\tt\n"
        + b"\ts\t4\tf\tA\tt\n"
    )
    data, report = read_sessions(path)
    assert keys(data, 0) == ["a", "e"]
    assert report.skipped == 5  # the last line has no session id
    assert report.lines == 8
    assert report.problems[0] == f"{path}:3: 3 columns, the header has 5"
    assert any(p.startswith(f"{path}:4: position 'one'") for p in report.problems)
    assert any(p.startswith(f"{path}:7: not UTF-8") for p in report.problems)
    assert any(p.startswith(f"{path}:5: session s has position 0 twice") for p in report.problems)
    assert "5 of 8 lines skipped" in report.summary()


def test_fatal_problems_name_the_file(tmp_path):
    with pytest.raises(ReadError, match="empty file"):
        read_sessions(write(tmp_path / "e.tsv", ""), "tsv")
    with pytest.raises(ReadError, match=r"w.tsv:1: header lacks position or timestamp"):
        read_sessions(write(tmp_path / "w.tsv", "session_id\titem_id\nx\ta\n"), "tsv")
    with pytest.raises(ReadError, match="no such file"):
        read_sessions(tmp_path / "missing.tsv")
    (tmp_path / "b.tsv").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ReadError, match="binary"):
        read_sessions(tmp_path / "b.tsv", "tsv")
    with pytest.raises(ReadError, match="no usable sessions") as empty:
        read_sessions(write(tmp_path / "one.tsv", HEADER + "s\t0\ta\tA\tt\n"))
    assert isinstance(empty.value, NoSessionsError)  # told apart from a damaged file by type
    with pytest.raises(ReadError, match="unknown history format"):
        read_sessions(write(tmp_path / "x.tsv", HEADER), "mp3")


def lastfm_line(user, when: datetime, track, mbid="", artist="Artist") -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{user}\t{stamp}\tam-1\t{artist}\t{mbid}\t{track}"


def test_lastfm_1k_sorts_newest_first_and_cuts_at_40_minutes(tmp_path):
    t0 = datetime(2009, 5, 4, 12, tzinfo=UTC)
    events = [  # chronological here; the file lists them newest first
        (t0, "A"),
        (t0 + timedelta(minutes=3), "B"),
        (t0 + timedelta(minutes=4), "B"),
        (t0 + timedelta(minutes=44), "C"),  # exactly 40 minutes after the last start: same session
        (t0 + timedelta(minutes=84, seconds=1), "D"),  # 40 min 1 s: a new session
        (t0 + timedelta(minutes=85), "E"),
    ]
    lines = [
        lastfm_line("user_1", when, track, mbid="mb-a" if track == "A" else "")
        for when, track in reversed(events)
    ]
    lines.insert(2, "user_1\tnot-a-time\tx\ty\tz\tw")
    lines.insert(4, "too\tfew")
    path = write(tmp_path / "lastfm.tsv", "\n".join(lines) + "\n")
    assert detect_format(path) == "lastfm-1k"
    data, report = read_sessions(path)
    assert [keys(data, i) for i in range(2)] == [
        ["mb-a", "artist – b", "artist – c"],  # mbid when present; repeats merged
        ["artist – d", "artist – e"],
    ]
    assert data.session_ids == ["user_1:0", "user_1:1"]
    assert np.all(np.diff(data.session_times[0]) > 0)
    assert report.skipped == 2
    assert report.reordered == 0  # newest first is the format's order, not a problem
    assert report.problems[0].startswith(f"{path}:3: timestamp 'not-a-time'")
    assert report.problems[1] == f"{path}:5: 2 tab-separated columns, Last.fm-1K has 6"


def test_session_length_limits(tmp_path):
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    lines = [lastfm_line("u", t0 + timedelta(minutes=i), f"t{i}") for i in range(7)]
    lines += [lastfm_line("u", t0 + timedelta(hours=5, minutes=i), f"s{i}") for i in range(3)]
    path = write(tmp_path / "l.tsv", "\n".join(lines))
    data, report = read_sessions(path, "lastfm-1k", min_length=5, max_length=6)
    assert [len(s) for s in data.sessions] == [6]
    assert (report.dropped_short, report.truncated_long) == (1, 1)


def test_lastfm_csv(tmp_path):
    path = write(
        tmp_path / "scrobbles.csv",
        "artist,album,track,date\n"
        'Bach,Album,"Prelude, BWV 846",01 Feb 2021 10:10\n'
        "Bach,Album,Fugue,01 Feb 2021 10:14\nBach,Album,Air,yesterday\n"
        "Only,two\nBach,Album,Gigue,2021-02-01 10:20:00\n",
    )
    data, report = read_sessions(path)
    assert keys(data, 0) == ["bach – prelude, bwv 846", "bach – fugue", "bach – gigue"]
    assert report.skipped == 2
    assert report.problems[0] == f"{path}:4: date 'yesterday' is not understood"


def listen(at: int, track: str, mbid: str | None = None) -> dict:
    meta = {"artist_name": "Arvo Pärt", "track_name": track}
    if mbid:
        meta["mbid_mapping"] = {"recording_mbid": mbid}
    return {"listened_at": at, "user_name": "me", "track_metadata": meta}


def test_listenbrainz_jsonl_and_json(tmp_path):
    listens = [listen(1000, "Spiegel", "rec-1"), listen(1300, "Fratres"), listen(1600, "Für Alina")]
    lines = [json.dumps(x) for x in reversed(listens)] + ["{broken", json.dumps({"listened_at": 1})]
    data, report = read_sessions(write(tmp_path / "l.jsonl", "\n".join(lines)))
    assert keys(data, 0) == ["rec-1", "arvo pärt – fratres", "arvo pärt – für alina"]
    assert report.skipped == 2
    assert report.problems[0].endswith(
        ":4: not JSON (Expecting property name enclosed in double quotes)"
    )
    data, _ = read_sessions(write(tmp_path / "l.json", json.dumps(listens)))
    assert keys(data, 0)[0] == "rec-1"
    with pytest.raises(ReadError, match="ListenBrainz"):
        read_sessions(write(tmp_path / "bad.json", "[{"))


def test_profile_play_log(tmp_path):
    profile = Profile(tmp_path / "profile").create()
    db = open_database(profile.database)
    tracks = [
        Track(
            path=f"/m/{i}.flac",
            size=1,
            mtime_ns=1,
            title=f"T{i}",
            item_key=f"key {i}",
            composer="Bach" if i < 3 else "Pärt",
        )
        for i in range(5)
    ]
    upsert_tracks(db, tracks)
    ids = {t.path: t.id for t in all_tracks(db)}
    histogram = np.array([3.0, 1.0, 0.0, 0.0], dtype=np.float32)
    for track in (0, 4):
        features = TrackFeatures(np.roll(histogram, track // 4), 4, 60.0, 0.5, 220.0, 0.0)
        save_features(db, ids[f"/m/{track}.flac"], ANALYSIS_VERSION, features)
    t0 = datetime(2024, 3, 1, 20, tzinfo=UTC)
    plan = [
        (0, 0, "finished"),
        (1, 5, "finished"),
        (2, 10, "skipped"),
        (3, 11, "finished"),
        (4, 200, "finished"),
        (0, 205, "finished"),
    ]
    for track, minute, ending in plan:
        play = start_play(
            db, ids[f"/m/{track}.flac"], "user", (t0 + timedelta(minutes=minute)).isoformat()
        )
        end_play(db, play, 60_000, ending)
    db.close()
    data, report = read_sessions(profile.root)
    assert detect_format(profile.root) == "profile"
    assert [keys(data, i) for i in range(len(data.sessions))] == [
        ["key 0", "key 1", "key 3"],
        ["key 4", "key 0"],
    ]
    assert report.skipped == 1 and "skipped by the listener" in report.problems[0]
    assert data.artists.keys[data.item_artist[data.items.index("key 4")]] == "pärt"
    content = data.item_content
    assert content.shape == (len(data.items), 4)
    assert np.count_nonzero(content[data.items.index("key 1")]) == 0  # not analysed: zeros
    assert np.argmax(content[data.items.index("key 0")]) == 0
    assert np.argmax(content[data.items.index("key 4")]) == 1
    assert np.linalg.norm(content[data.items.index("key 4")]) == pytest.approx(1.0)
    with pytest.raises(ReadError, match="not a Continuo profile"):
        read_sessions(tmp_path)


def test_log_in_no_order_is_sorted_and_reported(tmp_path):
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    minutes = [0, 10, 5, 15]  # neither oldest nor newest first
    lines = [lastfm_line("u", t0 + timedelta(minutes=m), f"t{m}") for m in minutes]
    data, report = read_sessions(write(tmp_path / "l.tsv", "\n".join(lines)), "lastfm-1k")
    assert keys(data, 0) == ["artist – t0", "artist – t5", "artist – t10", "artist – t15"]
    assert report.reordered == 1
