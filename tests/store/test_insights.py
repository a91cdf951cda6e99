from datetime import date

import numpy as np
import pytest

from player.store import open_database
from player.store.insights import OTHER, automatic_period, compute_insights
from player.store.plays import end_play, start_play
from tests.store.insights_profile import KNOWN, generated_profile, known_profile


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    yield db
    db.close()


@pytest.fixture
def known(db):
    return db, known_profile(db)


def test_weekly_counts_of_plays_suggestions_accepted_and_skipped(known):
    insights = compute_insights(known[0], period="week")
    assert insights.periods == KNOWN["weeks"]  # Mondays, the empty week included
    for name in ("plays", "suggested", "accepted", "skipped"):
        assert getattr(insights, name).tolist() == KNOWN[name], name
    assert insights.total_plays == 11
    assert insights.suggestion_share == pytest.approx(6 / 11)
    assert insights.acceptance_rate == pytest.approx(3 / 5)  # the stopped one is neither
    assert (insights.suggestions_shown, insights.suggestions_removed) == (
        KNOWN["shown"],
        KNOWN["removed"],
    )


def test_listening_time_per_composer_and_week(known):
    insights = compute_insights(known[0], period="week")
    expected = KNOWN["ms_by_composer"]
    assert insights.composers == list(expected)  # most listened first, untagged named
    ms = insights.hours * 3_600_000
    assert ms.sum(axis=1) == pytest.approx(list(expected.values()))
    mozart, schubert = ms[0], ms[1]
    assert mozart.tolist() == pytest.approx([300_000, 0, 200_000, 0])
    assert schubert.tolist() == pytest.approx([0, 0, 10_000, 360_000])
    assert insights.total_hours == pytest.approx(1_123_000 / 3_600_000)


def test_composers_beyond_the_top_are_summed_into_other_but_never_one_alone(known):
    two = compute_insights(known[0], top=2)
    assert two.composers == ["Wolfgang Amadeus Mozart", "Franz Schubert", OTHER]
    assert (two.hours[2] * 3_600_000).tolist() == pytest.approx([183_000, 0, 70_000, 0])
    four = compute_insights(known[0], top=4)
    assert four.composers == list(KNOWN["ms_by_composer"])  # five shown, no "Other" of one


def test_by_month_everything_falls_in_january(known):
    insights = compute_insights(known[0], period="month")
    assert insights.periods == [date(2026, 1, 1)]
    assert insights.plays.tolist() == [11]
    assert insights.accepted.tolist() == [3]
    assert insights.hours.shape == (5, 1)


def test_composers_and_works_first_played_from_a_suggestion(known):
    insights = compute_insights(known[0])
    found = insights.discovered_composers
    assert [d.composer for d in found] == KNOWN["composers_found"]  # newest first
    assert [d.plays_after for d in found] == KNOWN["plays_after"]
    assert [d.first_played for d in found] == [
        date(2026, 1, 20),
        date(2026, 1, 19),
        date(2026, 1, 7),
    ]
    assert found[1].hours == pytest.approx(370_000 / 3_600_000)
    assert insights.composers_heard == KNOWN["composers_heard"]  # the untagged track is left out
    assert [d.work for d in insights.discovered_works] == KNOWN["works_found"]
    assert insights.discovered_works[0].composer == "Unknown composer"
    assert insights.works_heard == KNOWN["works_heard"]


def test_the_first_play_is_the_earliest_start_not_the_first_row(known):
    db, ids = known
    # Logged later (an imported history), but Mozart was heard a day before the suggestion.
    end_play(db, start_play(db, ids[2], "user", "2026-01-06T08:00:00.000+00:00"), 1_000, "stopped")
    insights = compute_insights(db)
    assert "Wolfgang Amadeus Mozart" not in [d.composer for d in insights.discovered_composers]
    assert "Requiem in D minor, K. 626" not in [d.work for d in insights.discovered_works]


def test_an_empty_profile_gives_empty_insights(db):
    insights = compute_insights(db)
    assert insights.empty
    assert (insights.total_plays, insights.total_hours, insights.suggestion_share) == (0, 0.0, 0.0)
    assert insights.discovered_composers == []


def test_a_long_history_is_binned_by_year(db):
    generated_profile(db, plays=600, days=5 * 365, start=date(2020, 3, 2), seed=2)
    insights = compute_insights(db)
    assert insights.period == "year"
    assert insights.periods == [date(year, 1, 1) for year in range(2020, 2026)]
    monthly = compute_insights(db, period="month")
    assert insights.plays.sum() == monthly.plays.sum() == 600
    assert insights.hours.sum() == pytest.approx(monthly.hours.sum())
    per_year = {d.year: 0.0 for d in insights.periods}
    for start, hours in zip(monthly.periods, monthly.hours.sum(axis=0), strict=True):
        per_year[start.year] += hours
    assert insights.hours.sum(axis=0) == pytest.approx(list(per_year.values()))


@pytest.mark.parametrize(
    ("span_days", "period"),
    [(0, "week"), (182, "week"), (183, "month"), (4 * 365, "month"), (4 * 365 + 1, "year")],
)
def test_the_automatic_period_gives_a_handful_to_a_few_dozen_bars(span_days, period):
    assert automatic_period(span_days) == period


def test_bad_arguments_are_named(db):
    with pytest.raises(ValueError, match="'day'"):
        compute_insights(db, period="day")
    with pytest.raises(ValueError, match="0"):
        compute_insights(db, top=0)


def test_automatic_period_follows_the_span_and_keeps_empty_periods(db):
    generated_profile(db, plays=400, days=300, seed=1)
    insights = compute_insights(db)
    assert insights.period == "month"
    assert insights.total_plays == 400
    months = np.array(insights.periods, dtype="datetime64[M]")
    assert (np.diff(months).astype(int) == 1).all()  # consecutive months, none skipped
    weekly = compute_insights(db, period="week")
    assert (np.diff(np.array(weekly.periods, dtype="datetime64[D]")).astype(int) == 7).all()
    assert weekly.plays.sum() == 400
    assert weekly.hours.sum() == pytest.approx(insights.hours.sum())
    assert all(d.weekday() == 0 for d in weekly.periods)
