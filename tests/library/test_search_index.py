"""The library's search index: every word must occur in a track's recording text or its title."""

from __future__ import annotations

from player.domain.search import search_text
from player.library.search_index import SearchIndex, build_search


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


def test_built_from_rows_a_spelling_on_one_track_finds_the_composers_every_recording():
    # id, composer key and name, tag, work, work title, tag, catalogue, recording, performers,
    # year, album, movement, title (player.store.library_view.SEARCH_COLUMNS)
    rows = [
        (11, "tchaikovsky", "Pyotr Ilyich Tchaikovsky", "Tschaikowsky", "w6", "Symphony No. 6",
         "Sinfonie Nr. 6", "Op. 74", "r1", "Mravinsky", 1960, "DG", "Adagio", "1. Adagio"),
        (12, "tchaikovsky", "Pyotr Ilyich Tchaikovsky", "Tchaikovsky", "w5", "Symphony No. 5",
         "Symphony No. 5", "Op. 64", "r2", "Karajan", 1975, "EMI", "Andante", "1. Andante"),
        (13, "dvorak", "Antonín Dvořák", "Dvorak", "w9", "Symphony No. 9", "", "Op. 95", "r3",
         "Kertész", 1966, "Decca", "Largo", "2. Largo"),
    ]  # fmt: skip
    search = build_search(iter(rows))
    found = search.find("tschaikowsky")
    assert found is not None and found.ids.tolist() == [11, 12]
    assert found.composers == frozenset({"tchaikovsky"})
    assert search.find("sinfonie").ids.tolist() == [11]  # a work's tag spelling: that work only
    assert search.find("dvorak largo").ids.tolist() == [13]
    assert search.find("kertesz 1966").composers == frozenset({"dvorak"})
    assert search.find("zzz").ids.tolist() == [] and search.find("  ") is None
