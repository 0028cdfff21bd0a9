"""An order said by what it holds in a relative clause, a word such as "also" or "only" inside it ("the order that
also had the puzzle", "the one which only has the rug"), names the order: its item is not asked about."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.resolve import order_called_by
from ai_missions.graphs.support.parse.understanding import items_text

LINES = [
    {"line_no": 1, "sku": "P1", "description": "Jigsaw Puzzle"},
    {"line_no": 2, "sku": "S1", "description": "Running Shoes"},
]


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to send back the running shoes from the order that also had the puzzle.",
        "the shoes came in my order which also included a puzzle, please return them",
        "return the running shoes - it's the order that has the puzzle",
    ],
)
def test_an_item_in_a_relative_clause_of_the_order_names_the_order(text: str) -> None:
    assert order_called_by(text, LINES, {}) == [1]


def test_an_item_asked_about_is_not_taken_for_the_order_s_name() -> None:
    assert order_called_by("please return the puzzle and the running shoes from my order", LINES, {}) == []


def test_what_a_relative_clause_says_the_order_held_is_not_among_the_items_asked_about() -> None:
    said = items_text("please return the running shoes from the order which also contained the puzzle. thanks")
    assert "shoes" in said
    assert "puzzle" not in said
