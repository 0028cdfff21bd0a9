"""Mechanisms written for set 14's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 14"). Our own wordings, never the set's."""

from __future__ import annotations

from ai_missions.nodes.reading.statements import analyse


def test_a_footer_set_apart_by_pipes_after_a_dash_mark_is_boilerplate() -> None:
    """A shop's frame after a "--" mark (links set apart by " | ", or a frame's words) is boilerplate even when the
    message before the mark does not close with thanks; a dash inside a sentence stays prose."""
    regions = [(s.region, s.text) for s in analyse("Where is parcel 88120? -- The Lamp Shop | Free pickup | Returns")]
    assert regions[0] == ("body", "Where is parcel 88120?")
    assert {region for region, _ in regions[1:]} == {"boilerplate"}
    framed = [s.region for s in analyse("Order 88124 late. --- Thank you for shopping with us! Collect in store.")]
    assert framed[0] == "body"
    assert set(framed[1:]) == {"boilerplate"}
    prose = analyse("The lid is cracked -- the base is fine, I'll collect a new lid at the store")
    assert all(s.region == "body" for s in prose)


def test_a_thing_held_in_suspense_is_hedged() -> None:
    """ "Résiliation en suspens", "Baja en espera": what is held in suspense is not yet decided (``hedge`` words)."""
    assert analyse("Remise proposée, rappel jeudi. Résiliation en suspens.")[-1].hedged
    assert analyse("Ofrecido descuento, llamo el lunes. Baja en espera.")[-1].hedged
    assert not analyse("Résiliation confirmée.")[-1].hedged
