"""The "Up next" policy on fallback sources: real profile, real history, no model installed."""

from __future__ import annotations

import threading
from itertools import groupby

import numpy as np
import pytest

from player.analysis.version import ANALYSIS_VERSION
from player.recommend import up_next
from player.recommend.up_next import CURRENT_WORK, Recommender
from player.store.features import TrackFeatures, save_features
from player.store.feedback import all_feedback, suggestion_log
from player.store.tracks import Track, all_tracks, upsert_tracks
from tests.recommend.conftest import START, sessions_apart


def recommender(library) -> Recommender:
    return Recommender(library.profile.database, library.profile.models / "current")


def units(suggestions):
    """Suggestions grouped by work unit: ``[[track ids…], …]``."""
    return [[s.track_id for s in g] for _, g in groupby(suggestions, key=lambda s: s.work_group)]


def test_new_profile_fills_up_next_from_the_library_and_says_so(library):
    current = library.work("J. S. Bach", 0)[0]
    rec = recommender(library)
    result = rec.suggest([current], n=5)
    assert len(units(result)) == 5
    assert current not in {s.track_id for s in result}
    first_unit = [s for s in result if s.source != CURRENT_WORK]
    assert {s.source for s in first_unit} == {"popularity"}
    assert all(s.reason == "from your library" for s in first_unit)
    status = rec.status()
    assert status.model_problem == "No personal model yet" and status.provider is None
    assert status.no_model  # told apart by its type (NoModelError), not by its text
    assert status.source == "popularity"


def test_a_work_begun_is_finished_first_and_every_unit_plays_in_order(library):
    symphony = library.work("W. A. Mozart", 1)
    result = recommender(library).suggest([symphony[0]], n=3)
    grouped = units(result)
    assert grouped[0] == symphony[1:]
    assert result[0].source == CURRENT_WORK and "Mozart: Symphony No. 2" in result[0].reason
    by_id = {ids[0]: ids for ids in library.works.values()}
    for unit in grouped[1:]:
        # a suggested unit starts at the first movement and follows the movement numbers
        assert unit in (list(by_id.get(unit[0], [])), [unit[0]])
    assert len(grouped) == 3


def test_without_work_expansion_each_unit_is_its_first_movement_only(library):
    result = recommender(library).suggest([library.pieces["E. Satie"]], n=4, expand_works=False)
    assert len(result) == 4
    first_movements = {ids[0] for ids in library.works.values()} | set(library.pieces.values())
    assert all(s.track_id in first_movements for s in result)


def test_nothing_from_the_session_or_the_queue_comes_back(library):
    session = library.work("J. Brahms", 0) + [library.pieces["C. Debussy"]]
    queue = library.work("E. Satie", 2)
    result = recommender(library).suggest(session, queue, n=8)
    suggested = {s.track_id for s in result}
    assert not suggested & (set(session) | set(queue))
    assert len(units(result)) == 8


def test_co_occurrence_in_own_sessions_leads_with_a_reason(library):
    mozart, beethoven = library.work("W. A. Mozart", 1), library.work("L. van Beethoven", 0)
    for start in sessions_apart(4):
        library.play_session(mozart + beethoven, start)
    result = recommender(library).suggest(mozart, n=3)
    assert units(result)[0] == beethoven
    assert result[0].source == "your sessions"
    assert result[0].reason == "often follows Mozart: Symphony No. 2 in your sessions"
    # what never followed in a session is ordered by popularity and says so
    assert {s.source for s in result[3:]} == {"popularity"}


def test_popular_mode_ranks_the_most_played_first(library):
    satie, debussy = library.pieces["E. Satie"], library.pieces["C. Debussy"]
    for start in sessions_apart(3):
        library.play_session([satie, debussy, satie], start)
    library.play_session([debussy], START.replace(year=2025))
    result = recommender(library).suggest([library.work("J. Brahms", 1)[2]], n=2, mode="popular")
    assert [s.track_id for s in result[:2]] == [satie, debussy]
    assert result[0].reason == "you play this often"


def test_discover_offers_only_unheard_works_and_names_new_composers(library):
    heard = [ids for (c, _), ids in library.works.items() if c in ("J. S. Bach", "W. A. Mozart")]
    for ids, start in zip(heard, sessions_apart(len(heard)), strict=True):
        library.play_session(ids, start)
    result = recommender(library).suggest(heard[0], n=6, mode="discover")
    heard_ids = {t for ids in heard for t in ids}
    assert len(units(result)) == 6
    assert not {s.track_id for s in result} & heard_ids
    leads = [s for s in result if s.source != CURRENT_WORK]
    new_composer = [
        s for s in leads if library.composer_of[s.track_id] not in ("J. S. Bach", "W. A. Mozart")
    ]
    assert new_composer and all(s.reason.startswith("new composer for you") for s in new_composer)


def test_discover_with_every_work_heard_offers_only_the_rest_of_the_recording(library):
    everything = [*library.works.values(), *([t] for t in library.pieces.values())]
    for ids, start in zip(everything, sessions_apart(len(everything)), strict=True):
        library.play_session(ids, start)
    current = library.work("J. Brahms", 1)
    result = recommender(library).suggest(current[:1], n=4, mode="discover")
    assert [(s.track_id, s.source) for s in result] == [(t, CURRENT_WORK) for t in current[1:]]


def test_percentiles_rank_by_place_and_ties_by_their_mean_place():
    rng = np.random.default_rng(3)
    for values in (rng.standard_normal(500), rng.integers(0, 40, 500).astype(float)):
        got = up_next._percentile(values)
        # the definition: each value's mean place among the sorted values, on a 0..1 scale
        places = {v: np.flatnonzero(np.sort(values) == v).mean() for v in set(values.tolist())}
        expected = np.array([places[v] for v in values.tolist()]) / (len(values) - 1)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert up_next._percentile(np.array([2.0])).tolist() == [1.0]


def test_no_composer_three_times_in_a_row_unless_the_session_is_about_them(library):
    bach = [ids for (c, _), ids in library.works.items() if c == "J. S. Bach"]
    # Bach is by far the most played: popularity alone would suggest Bach, Bach, Bach, Bach
    for start in sessions_apart(3):
        library.play_session(
            [t for ids in bach for t in ids] + [library.pieces["J. S. Bach"]], start
        )
    rec = recommender(library)
    result = rec.suggest([library.pieces["C. Debussy"]], n=5, mode="popular")
    composers = [library.composer_of[ids[0]] for ids in units(result)]
    assert composers[:2] == ["J. S. Bach", "J. S. Bach"]
    assert all(len(set(composers[i : i + 3])) > 1 for i in range(len(composers) - 2))
    # a session all about Bach may go on with Bach
    focused = rec.suggest(
        [library.work("J. Brahms", 0)[0]] + bach[0] + bach[1], n=3, mode="popular"
    )
    assert [library.composer_of[ids[0]] for ids in units(focused)].count("J. S. Bach") >= 2


def test_never_suggest_removes_a_work_for_good(library):
    satie = library.pieces["E. Satie"]
    for start in sessions_apart(3):
        library.play_session([satie], start)
    rec = recommender(library)
    assert rec.suggest([library.pieces["J. Brahms"]], n=1, mode="popular")[0].track_id == satie
    rec.give_feedback(satie, "never")
    for mode in ("popular", "for_you", "discover"):
        assert satie not in {s.track_id for s in rec.suggest([], n=30, mode=mode)}
    again = recommender(library)  # a new recommender reads the feedback from the profile
    assert satie not in {s.track_id for s in again.suggest([], n=30, mode="popular")}


def test_quick_skip_and_less_like_push_a_work_down_at_once(library):
    mozart, beethoven = library.work("W. A. Mozart", 1), library.work("L. van Beethoven", 0)
    brahms = library.work("J. Brahms", 2)
    for start in sessions_apart(3):
        library.play_session(mozart + beethoven, start)
    library.play_session(mozart + brahms, START.replace(year=2025))
    rec = recommender(library)
    assert units(rec.suggest(mozart, n=2))[:2] == [beethoven, brahms]
    for ms in (4_000, 5_000):  # the suggested recording skipped early, twice
        rec.track_started(beethoven[0], "suggestion")
        rec.track_ended(beethoven[0], ms, "skipped")
    top = units(rec.suggest(mozart, n=2))
    assert top[0] == brahms and beethoven not in top
    rec.give_feedback(brahms[1], "less_like")
    assert brahms not in units(rec.suggest(mozart, n=3))
    # a skip after 30 s is not negative
    recommender(library).track_ended(brahms[0], 45_000, "skipped")
    assert [f.kind for f in all_feedback(library.db)] == ["skip", "skip", "less_like"]


def test_more_like_this_lifts_the_work_and_its_composer(library):
    mozart = library.work("W. A. Mozart", 1)
    rec = recommender(library)
    before = [library.composer_of[ids[0]] for ids in units(rec.suggest([], n=6))]
    assert "W. A. Mozart" not in before  # last in library order
    rec.give_feedback(mozart[2], "more_like")
    after = units(rec.suggest([], n=3))
    assert mozart in after


def test_a_removed_suggestion_does_not_come_straight_back(library):
    rec = recommender(library)
    first = rec.suggest([library.pieces["J. Brahms"]], n=3)
    rec.shown(first, "for_you")
    rec.removed(first[0].track_id)
    again = rec.suggest([library.pieces["J. Brahms"]], n=3)
    assert first[0].work_group not in {s.work_group for s in again}
    fresh = recommender(library)  # remembered in the profile, not only in memory
    assert first[0].work_group not in {
        s.work_group for s in fresh.suggest([library.pieces["J. Brahms"]], n=3)
    }


@pytest.mark.parametrize("bad", [{"n": -1}, {"mode": "shuffle"}])
def test_bad_arguments_are_named(library, bad):
    with pytest.raises(ValueError, match=str(next(iter(bad.values())))):
        recommender(library).suggest([], **bad)


def analyse_by_composer(db, composer_of: dict[int, str]) -> None:
    """Features as the analysis would store them: each composer has a sound of their own."""
    composers = sorted(set(composer_of.values()))
    rng = np.random.default_rng(1)
    for track_id, composer in composer_of.items():
        histogram = rng.uniform(0, 0.2, size=12).astype(np.float32)
        histogram[composers.index(composer) * 2] += 5.0
        features = TrackFeatures(histogram, 10, 120.0, 0.8, 220.0, 0.0)
        save_features(db, track_id, ANALYSIS_VERSION, features)


def test_content_similarity_ranks_when_the_analysis_has_run(library):
    analyse_by_composer(library.db, library.composer_of)
    result = recommender(library).suggest([library.pieces["C. Debussy"]], n=3)
    leads = [unit[0] for unit in units(result)]
    assert [library.composer_of[t] for t in leads[:2]] == ["C. Debussy", "C. Debussy"]
    assert library.composer_of[leads[2]] != "C. Debussy"  # never three in a row
    first = next(s for s in result if s.track_id == leads[0])
    assert first.source == "content similarity"
    assert first.reason == "similar in sound to Debussy: Piece"


def test_the_listeners_sessions_outweigh_a_likeness_in_sound(library):
    """Content ranks (the analysis ran) and the sessions know what follows: what followed in
    the listener's own sessions comes first, however unlike in sound, then the likest."""
    analyse_by_composer(library.db, library.composer_of)
    debussy, satie = library.work("C. Debussy", 0), library.work("E. Satie", 1)
    for start in sessions_apart(3):
        library.play_session(debussy + satie, start)
    result = recommender(library).suggest(debussy, n=4)
    leads = [unit[0] for unit in units(result)]
    assert units(result)[0] == satie
    assert result[0].source == "your sessions"
    assert result[0].reason == "often follows Debussy: Suite No. 1 in your sessions"
    rest = [s for s in result if s.track_id in leads[1:]]
    assert {s.source for s in rest} == {"content similarity"}
    assert library.composer_of[leads[1]] == "C. Debussy"  # then the likest in sound


@pytest.mark.parametrize("favourite", ["A", "B"])
def test_popularity_breaks_a_tie_between_equal_habits(library, favourite):
    """Work A and work B each followed the session's work once: the one played more often
    leads, whichever comes first in the library."""
    brahms = library.work("J. Brahms", 0)
    a, b = library.work("J. S. Bach", 1), library.work("W. A. Mozart", 2)
    starts = sessions_apart(5)
    library.play_session(brahms + a, starts[0])
    library.play_session(brahms + b, starts[1])
    for start in starts[2:]:  # sessions of one work: more plays, no habit
        library.play_session(a if favourite == "A" else b, start)
    result = recommender(library).suggest(brahms, n=3)
    first, second = units(result)[:2]
    assert (first, second) == ((a, b) if favourite == "A" else (b, a))
    assert {s.source for s in result if s.track_id in first + second} == {"your sessions"}


def test_suggest_and_feedback_from_several_threads_at_once(library):
    rec = recommender(library)
    current = library.pieces["J. Brahms"]
    results, errors = [], []

    def work(i: int) -> None:
        try:
            for _ in range(4):
                results.append(
                    units(rec.suggest([current], n=3, mode=("for_you", "popular")[i % 2]))
                )
                rec.give_feedback(library.work("E. Satie", i % 3)[0], "less_like")
                rec.library_changed() if i == 0 else rec.history_changed()
        except Exception as exc:  # collected: an exception in a thread would pass silently
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 16
    assert all(len(r) == 3 and current not in {t for u in r for t in u} for r in results)
    assert len(all_feedback(library.db)) == 16


def test_the_suggestions_log_records_what_was_shown_played_and_skipped(library):
    rec = recommender(library)
    shown = rec.suggest([library.pieces["J. Brahms"]], n=2)
    rec.shown(shown, "for_you")
    first, second = shown[0].track_id, shown[-1].track_id
    rec.track_started(first, "suggestion")
    rec.track_started(second, "user")  # picked by hand: not an accepted suggestion
    rec.track_ended(second, 2_000, "skipped")
    outcomes = {r.track_id: r.outcome for r in suggestion_log(library.db)}
    assert outcomes[first] == "accepted" and outcomes[second] == "skipped"
    assert len(outcomes) == len(shown)
    assert all(
        r.source == s.source and r.mode == "for_you"
        for r, s in zip(suggestion_log(library.db), shown, strict=True)
    )


def _second_recording(library, composer: str, work: str) -> list[int]:
    """Add another recording of a work, its composer and title spelled another way."""
    upsert_tracks(
        library.db,
        [
            Track(
                path=f"/music/other/{n}.flac",
                size=1,
                mtime_ns=1,
                title=title,
                composer=composer,
                work=work,
                movement=title,
                movement_number=n,
                album="Another recording",
                conductor="Someone Else",
                duration_s=200.0,
            )
            for n, title in ((1, "Allegro"), (2, "Andante"), (3, "Presto"))
        ],
    )
    return [t.id for t in all_tracks(library.db) if t.path.startswith("/music/other/")]


def test_units_are_recordings_and_another_recording_of_a_work_heard_is_not_suggested(library):
    first = library.work("L. van Beethoven", 1)  # "Symphony No. 2", album "L. van Beethoven …"
    other = _second_recording(library, "Beethoven, Ludwig van", "Symphony no. 2")
    result = recommender(library).suggest([first[0]], n=30)
    grouped = units(result)
    assert grouped[0] == first[1:]  # the rest of the recording begun, not the other recording
    assert not {s.track_id for s in result} & set(other)


def test_one_recording_of_a_work_per_set(library):
    other = _second_recording(library, "Beethoven, Ludwig van", "Symphony no. 2")
    result = recommender(library).suggest([library.pieces["E. Satie"]], n=30)
    suggested = {s.track_id for s in result}
    both = set(other) | set(library.work("L. van Beethoven", 1))
    assert len(units(result)) == 23  # 6 composers × (3 works + 1 piece), less the one playing
    assert suggested & both in (set(other), set(library.work("L. van Beethoven", 1)))


def test_a_reload_under_way_on_another_thread_does_not_hold_up_a_suggestion(library, monkeypatch):
    """A scan's re-index (seconds at 100,000 tracks) runs on its own thread: meanwhile Up next
    answers from the index it replaces, and takes the new one once it is there."""
    rec = recommender(library)
    current = library.pieces["J. Brahms"]
    before = rec.suggest([current], n=3)
    inside, go_on = threading.Event(), threading.Event()
    index = up_next.cached_library

    def slow_index(db):
        inside.set()
        go_on.wait(30)
        return index(db)

    monkeypatch.setattr(up_next, "cached_library", slow_index)
    upsert_tracks(library.db, [Track(path="/music/new.flac", size=1, mtime_ns=1, title="New")])
    rec.library_changed()
    loader = threading.Thread(target=rec.prepare)
    loader.start()
    assert inside.wait(30)
    assert rec.suggest([current], n=3) == before  # at once, from the index being replaced
    everything = rec.suggest([current], n=40, mode="popular")
    go_on.set()
    loader.join(30)
    new = next(t.id for t in all_tracks(library.db) if t.path == "/music/new.flac")
    assert new not in {s.track_id for s in everything}
    assert new in {s.track_id for s in rec.suggest([current], n=40, mode="popular")}
