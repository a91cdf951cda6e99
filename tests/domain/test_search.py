"""Search folds what the listener types the way the library's names are folded."""

from __future__ import annotations

import pytest

from player.domain.search import matches, query_terms, search_text

ROW = search_text(
    "Tschaikowsky",  # as tagged
    "Pyotr Ilyich Tchaikovsky",  # the composer's name as shown
    "String Quartet No. 1 in D major, Op.11",
    "Andante cantabile",
    "Borodin Quartet · Rostislav Dubinsky, 1962",
)


@pytest.mark.parametrize(
    "query",
    [
        "tchaikovsky",
        "TSCHAIKOWSKY",
        "pyotr",
        "op 11",
        "Op.11",
        "op. 11",
        "quartet tchaikovsky",
        "tchaikovsky quartet",
        "andante",
        "dubinsky",  # a performer's surname
        "borodin 1962",
        "d major",
    ],
)
def test_queries_that_find_the_row(query):
    assert matches(query_terms(query), ROW)


@pytest.mark.parametrize("query", ["op 12", "mozart", "allegro", "quartet 1963"])
def test_queries_that_do_not(query):
    assert not matches(query_terms(query), ROW)


def test_accents_fold_both_ways():
    assert matches(query_terms("dvorak"), search_text("Antonín Dvořák"))
    assert matches(query_terms("Dvořák"), search_text("Antonin Dvorak"))
    assert matches(query_terms("händel"), search_text("George Frideric Handel"))
    assert matches([], search_text("anything"))
