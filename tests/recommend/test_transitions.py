"""Smooth transitions through the recommender: among close candidates a related key follows,
and the reason says so; the setting turns it off, Discover ignores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from player.profile import Profile
from player.recommend.up_next import Recommender
from player.store import open_database
from player.store.plays import end_play, start_play
from player.store.settings import set_setting
from player.store.tracks import Track, all_tracks, upsert_tracks

START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def piece(composer: str, title: str) -> Track:
    return Track(
        path=f"/music/{composer}/{title}.flac",
        size=1,
        mtime_ns=1,
        title=title,
        composer=composer,
        performers="Solo",
        duration_s=300.0,
    )


def test_a_related_key_among_close_candidates_follows_and_the_reason_says_so(tmp_path):
    profile = Profile(tmp_path / "profile").create()
    db = open_database(profile.database)
    tracks = [piece("Haydn", "Sonata in E major"), piece("Mozart", "Fantasia in F-sharp major")]
    tracks += [piece("Schubert", "Impromptu in A minor")]
    tracks += [piece(f"Composer {i}", f"Prelude {i}") for i in range(40)]
    upsert_tracks(db, tracks)
    ids = {t.title: int(t.id or 0) for t in all_tracks(db)}
    when = START
    for title, plays in (("Fantasia in F-sharp major", 5), ("Impromptu in A minor", 4)):
        for _ in range(plays):  # the most played two: close at the top of popularity
            play = start_play(db, ids[title], "user", when.isoformat(timespec="milliseconds"))
            end_play(db, play, 300_000, "finished")
            when += timedelta(hours=3)

    def first(mode: str = "popular") -> tuple[int, str]:
        rec = Recommender(profile.database, profile.models / "current")
        found = rec.suggest([ids["Sonata in E major"]], n=3, mode=mode)
        return found[0].track_id, found[0].reason

    track, reason = first()
    assert track == ids["Impromptu in A minor"]
    assert reason.endswith("in A minor after E major")
    set_setting(db, "up_next.transition_closeness", "0")
    assert first()[0] == ids["Fantasia in F-sharp major"]
    set_setting(db, "up_next.transition_closeness", "0.05")
    track, reason = first("discover")
    assert "after E major" not in reason
