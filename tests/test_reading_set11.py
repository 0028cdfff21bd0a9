"""Figures written for set 11's classes (issue 40): a new price said before the one it takes the place of is a
change of price, its rise the amount agreed. Our own wordings, never the set's."""

from __future__ import annotations

import pytest

from ai_missions.nodes.reading.figures import price_change
from ai_missions.nodes.reading.lexicon import fold


@pytest.mark.parametrize(
    ("text", "rise"),
    [
        ("paying the difference: 64 instead of 52 for the oak finish", 12.0),
        ("zahlt die Differenz, 89 € statt 79 € für die größere Ausführung", 10.0),
        ("accepte de payer 129 au lieu de 115 pour la version longue", 14.0),
        ("pagará 45 en lugar de 39 por el modelo XL", 6.0),
        ("now 19 instead of 24 after the voucher", None),  # a fall is no rise to agree to
    ],
)
def test_a_new_price_before_the_one_it_replaces_is_a_change(text: str, rise: float | None) -> None:
    assert price_change(fold(text)) == rise
