"""The analysis status line: counts, time left rounded up, paused and done."""

from player.analysis.worker import AnalysisProgress
from player.ui.features.analysis.status import (
    AnalysisSummary,
    format_time_left,
    progress_text,
    summary_text,
)


def progress(done, total, eta_s=None, paused=False):
    return AnalysisProgress(done, total, 0, None, eta_s, paused, False)


def test_time_left_rounds_up_to_5_s_then_minutes_then_hours():
    assert [format_time_left(s) for s in (0.4, 41, 60, 61, 239.5, 5339, 7500)] == [
        "about 5 s left",
        "about 45 s left",
        "about 1 min left",
        "about 2 min left",
        "about 4 min left",
        "about 89 min left",
        "about 2 h 5 min left",
    ]


def test_progress_counts_the_file_in_hand_and_says_when_paused():
    assert progress_text(progress(0, 340)) == "Analysing 1 of 340"
    assert progress_text(progress(11, 340, 230.0)) == "Analysing 12 of 340 · about 4 min left"
    assert progress_text(progress(340, 340, 0.0)) == "Analysing 340 of 340 · about 5 s left"
    assert (
        progress_text(progress(1200, 2400, paused=True)) == "Analysis paused (1,200 of 2,400 done)"
    )


def test_summary_counts_the_whole_library():
    failed = [("/m/a.flac", "silent"), ("/m/b.flac", "cannot be decoded")]
    done = AnalysisSummary(frozenset(range(338)), failed, 340)
    assert summary_text(done) == "Analysis done (340 tracks, 2 failed)"
    assert summary_text(AnalysisSummary(frozenset(range(5)), [], 9)) == "Analysed 5 of 9 tracks"
    assert summary_text(AnalysisSummary(frozenset(), [], 0)) == ""
