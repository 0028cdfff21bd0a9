"""What the reading tests written from blind sets' classes share: the offline reader without its model (the words
and mechanisms alone), the day the sets count dates from, and the two checks every wording gets: read as an
affirmed fact of its kind, or not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from ai_missions.nodes.reading import Fact, Source, read
from ai_missions.nodes.reading.offline import OfflineReader

TODAY = date(2026, 11, 25)
OFFLINE = OfflineReader(semantic=False)


def fact_of(text: str, kind: str, source: Source) -> Fact | None:
    """The fact the offline reader takes from ``text`` for ``kind`` when read with confidence (affirmed or negated),
    or None."""
    return read([(source, text)], [kind], OFFLINE, today=TODAY).get(kind)


def stated(text: str, kind: str, source: Source) -> Fact | None:
    """Whatever the offline reader takes from ``text`` for ``kind``: any polarity, any confidence."""
    return read([(source, text)], [kind], OFFLINE, today=TODAY).facts.get(kind)


def assert_affirmed(text: str, kind: str, source: Source) -> Fact:
    fact = fact_of(text, kind, source)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    return fact


def assert_not_affirmed(text: str, kind: str, source: Source) -> None:
    fact = fact_of(text, kind, source)
    assert fact is None or fact.polarity != "affirmed", fact


def grouped(groups: Mapping[str, Sequence[tuple[Any, ...]]]) -> list[Any]:
    """pytest parameters of every row of every group, each named by its group."""
    return [pytest.param(*row, id=f"{group}-{n}") for group, rows in groups.items() for n, row in enumerate(rows)]
