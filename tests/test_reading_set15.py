"""Mechanisms written for set 15's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 15"). Our own wordings, never the set's."""

from __future__ import annotations

from ai_missions.nodes.reading.lexicon import Words, default, fold


def test_a_gap_in_a_kinds_phrase_holds_no_denial() -> None:
    """A phrase's gap (``~``) may hold any word but a denial of the language's ``gap_denial`` words: "invoice ~
    replaces" reads "invoice 77 replaces", never "invoice does not replace"."""
    words = Words(["invoice ~ replaces"], stop="not|no|nicht")
    assert words.search("this invoice 77 replaces the old one") is not None
    assert words.search("this invoice does not replace the old one") is None
    assert words.search("this invoice no longer replaces the old one") is None
    cues = default().kinds["invoice_supersedes"].cues
    assert cues.search(fold("la factura 88 sustituye a la anterior")) is not None
    assert cues.search(fold("la factura 88 no sustituye a la anterior")) is None
