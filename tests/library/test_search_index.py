"""The library's search index: every word must occur in a track's recording text or its title."""

from __future__ import annotations

from player.domain.search import search_text
from player.library.search_index import SearchIndex


def index() -> SearchIndex:
    groups = [
        search_text("Antonín Dvořák", "Symphony No. 9", "Op. 95", "Kertész", "1966"),
        search_text("Johann Sebastian Bach", "Cello Suite No. 1", "BWV 1007", "Fournier"),
    ]
    titles = [search_text(t) for t in ("Adagio – Allegro molto", "Largo", "Prélude", "Menuet I")]
    return SearchIndex(groups, [0, 0, 1, 1], titles)


def test_words_match_the_recording_or_the_title_folded():
    found = index()
    assert found.find("dvorak largo").tolist() == [1]
    assert found.find("KERTESZ").tolist() == [0, 1]
    assert found.find("prelude bach").tolist() == [2]
    assert found.find("bach johann").tolist() == [2, 3]  # any order


def test_every_word_must_occur_and_an_empty_query_matches_all():
    found = index()
    assert found.find("bach largo").tolist() == []
    assert found.find("menuet   ").tolist() == [3]
    assert found.find("  ") is None
    assert len(found) == 4
