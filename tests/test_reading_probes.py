"""The wordings written for the reading classes that blind sets found (issue 40), kept as data
(``tests/data/reading_probes.tsv``: class, the polarity expected, kind, source, text), each read by the offline
reader's words and mechanisms as its class says. Never a blind set's own sentences: those sets stay outside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ai_missions.nodes.reading import KINDS, Source
from tests.support.reading_checks import assert_affirmed, assert_not_affirmed, stated

PROBES = Path(__file__).parent / "data" / "reading_probes.tsv"
EXPECTED = ("affirmed", "not affirmed", "negated", "hedged", "conditional")


def probes() -> list[Any]:
    rows = []
    for number, line in enumerate(PROBES.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        group, expected, kind, where, text = line.split("\t")
        assert expected in EXPECTED, f"{PROBES.name}:{number}: {expected!r}"
        assert kind in KINDS, f"{PROBES.name}:{number}: {kind!r}"
        system, record, field = where.split("/", 2)
        rows.append(pytest.param(text, kind, Source(system, record, field), expected, id=f"{number}-{group}"))
    return rows


@pytest.mark.parametrize(("text", "kind", "source", "expected"), probes())
def test_each_wording_is_read_as_its_class_says(text: str, kind: str, source: Source, expected: str) -> None:
    if expected == "affirmed":
        assert_affirmed(text, kind, source)
    elif expected == "not affirmed":  # nothing a decision acts on: no fact, or none affirmed with confidence
        assert_not_affirmed(text, kind, source)
    else:
        fact = stated(text, kind, source)
        assert fact is not None
        assert fact.polarity == expected, fact
