"""The play-log rules every layer shares."""

from __future__ import annotations

import pytest

from player.domain.plays import ENDINGS, HEARD_MS, EndReason, ended_how, is_heard, is_quick_skip


@pytest.mark.parametrize(
    ("reason", "word"),
    [
        (EndReason.FINISHED, "finished"),
        (EndReason.SKIPPED, "skipped"),
        (EndReason.STOPPED, "stopped"),
        (EndReason.ERROR, "stopped"),
    ],
)
def test_end_reasons_map_to_the_logs_words(reason, word):
    assert ended_how(reason) == word and word in ENDINGS


@pytest.mark.parametrize(
    ("ms", "ended", "heard", "quick_skip"),
    [
        (HEARD_MS, "skipped", True, False),
        (HEARD_MS - 1, "skipped", False, True),
        (1000, "finished", True, False),
        (1000, "stopped", False, False),
        (1000, None, False, False),
        (HEARD_MS + 1, None, True, False),
    ],
)
def test_heard_and_quick_skips_share_one_threshold(ms, ended, heard, quick_skip):
    assert is_heard(ms, ended) is heard and is_quick_skip(ms, ended) is quick_skip
