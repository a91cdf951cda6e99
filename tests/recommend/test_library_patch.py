"""A scan's changes patched into the library index equal an index made afresh.

Real scans of generated, tagged files on a real profile: files added, re-tagged to another
work or composer, deleted and renamed, at random, a few seeds of several scans each. After
every scan the index patched at the paths the scan reports is compared field by field with
one built from the database, and a recommender told those paths suggests what a new one does.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from player.library.scanner import scan_library
from player.profile import Profile
from player.recommend import library_cache
from player.recommend.library import load_library
from player.recommend.library_cache import patched_library
from player.recommend.up_next import MODES, Recommender
from player.store import caches, open_database
from player.store.plays import end_play, start_play
from player.store.tracks import all_tracks, track_ids_in_order
from tests.library.audio_files import tag_vorbis, write_audio
from tests.recommend.conftest import sessions_apart
from tests.recommend.test_caches import assert_same_index

COMPOSERS = ("Johann Sebastian Bach", "Joseph Haydn", "Clara Schumann", "Erik Satie")
WORKS = ("Suite No. 1 in G major", "Sonata No. 2", "Quartet Op. 76 No. 3", "Nocturne in F minor")
MOVEMENTS = ("Allegro", "Andante", "Menuetto", "Presto")


class Music:
    """A folder of tagged FLAC files, changed the way a listener changes one."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng, self.files, self.made = root, rng, [], 0

    def add(self) -> None:
        self.made += 1
        path = self.root / f"album {self.rng.randrange(4)}" / f"{self.made:03d}.flac"
        write_audio(path, seconds=0.05 + 0.01 * self.made, freq=200 + self.made)
        self.files.append(path)
        self.tag(path)

    def tag(self, path: Path) -> None:
        """Tags drawn anew: the track may move to another work, composer or recording."""
        pick = self.rng.choice
        tags = {"composer": pick(COMPOSERS), "title": pick(MOVEMENTS), "artist": pick("AB")}
        if self.rng.random() < 0.8:  # else a piece without a work
            tags |= {"work": pick(WORKS), "movementname": tags["title"]}
            tags["movement"] = str(self.rng.randint(1, 4))
        if self.rng.random() < 0.5:
            tags["tracknumber"] = str(self.rng.randint(1, 9))
        tag_vorbis(path, **tags)
        later = path.stat().st_mtime_ns + 1_000_000_000 * self.made
        os.utime(path, ns=(later, later))  # seen as changed even within the clock's tick

    def retag(self) -> None:
        self.made += 1
        self.tag(self.rng.choice(self.files))

    def delete(self) -> None:
        path = self.rng.choice(self.files)
        self.files.remove(path)
        path.unlink()

    def rename(self) -> None:
        path = self.rng.choice(self.files)
        moved = path.with_name(f"moved {self.made} {path.name}")
        self.made += 1
        path.rename(moved)
        self.files[self.files.index(path)] = moved


def play_some(db, rng: random.Random) -> None:
    """A few sessions over what the library holds, so that suggestions rank by history."""
    ids = [t.id for t in all_tracks(db)]
    for start in sessions_apart(3):
        when = start
        for track_id in rng.sample(ids, min(4, len(ids))):
            play = start_play(db, track_id, "user", when.isoformat(timespec="milliseconds"))
            end_play(db, play, 200_000, "finished")
            when = when.replace(minute=when.minute + 4)


@pytest.mark.parametrize("seed", range(4))
def test_a_patched_index_equals_a_fresh_one_after_every_scan(tmp_path, seed, monkeypatch):
    monkeypatch.setattr(library_cache, "PATCH_SHARE", 1.0)  # patch whatever the share

    def not_afresh(db):
        raise AssertionError("indexed afresh instead of patched")

    monkeypatch.setattr(library_cache, "cached_library", not_afresh)
    rng = random.Random(seed)
    profile = Profile(tmp_path / "profile")
    db = open_database(profile.database)
    music = Music(tmp_path / "music", rng)
    for _ in range(24):
        music.add()
    scan_library(db, [music.root])
    index = load_library(db)
    play_some(db, rng)
    patched = Recommender(profile.database, profile.models / "current")
    patched.prepare()
    changes = (music.add, music.retag, music.delete, music.rename)
    for _ in range(6):
        for _ in range(rng.randint(1, 5)):
            (rng.choice(changes) if len(music.files) > 4 else music.add)()
        result = scan_library(db, [music.root])
        assert result.changed_paths is not None, "a scan of tags merges no works here"
        index = patched_library(db, index, result.changed_paths)
        assert_same_index(index, load_library(db))
        assert index.track_ids.tolist() == track_ids_in_order(db)

        patched.library_changed(result.changed_paths)
        session = [int(index.track_ids[rng.randrange(len(index))])]
        found = {mode: suggested(patched, session, mode) for mode in MODES}
        (caches.cache_dir(db) / library_cache.FILE).unlink()  # the patch wrote it
        fresh = Recommender(profile.database, profile.models / "current")
        assert found == {mode: suggested(fresh, session, mode) for mode in MODES}
        assert any(found.values())


def suggested(rec: Recommender, session: list[int], mode: str) -> list[tuple[int, str, str]]:
    return [(s.track_id, s.source, s.reason) for s in rec.suggest(session, n=5, mode=mode)]


def test_a_change_the_paths_do_not_account_for_means_indexing_afresh(tmp_path):
    rng = random.Random(7)
    db = open_database(Profile(tmp_path / "profile").database)
    music = Music(tmp_path / "music", rng)
    for _ in range(12):
        music.add()
    scan_library(db, [music.root])
    index = load_library(db)
    music.delete()
    music.delete()
    scan_library(db, [music.root])
    # told of none of the files gone: the tracks are read again, not patched wrongly
    assert_same_index(patched_library(db, index, []), load_library(db))
