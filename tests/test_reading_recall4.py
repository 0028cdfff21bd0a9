"""Recall classes the fourth blind set found (issue 40), each fixed by words in the lexicon's data files or a general
mechanism, tested in wordings written for these tests (never the set's own sentences), with twins that must not
become positive facts. (The project's snippet set keeps its holdout at 35% of all snippets, so these live here.)
"""

from __future__ import annotations

import pytest

from ai_missions.nodes.reading import Source
from tests.support.reading_checks import assert_affirmed, assert_not_affirmed

NOTE = Source("crm", "N-4", "crm_note")
CUSTOMER = Source("helpdesk", "T-4", "customer_message")
PURCHASING = Source("erp", "PO-4", "purchasing_note")
VENDOR = Source("ap", "INV-4", "vendor_email")
VERIFICATION = Source("ap", "BA-4", "bank_accounts.verification_method")


# a restock said as "two weeks from tomorrow", "moved it to", "à nouveau disponible"; a rise agreed as "the
# difference" ("avant 80 €, maintenant 95 €"); damage by water; an invoice replaced in other words
READ_WITH_VALUE = [
    ("Supplier confirms the next batch lands two weeks from tomorrow.", "restock_eta", PURCHASING, 15.0),
    ("ETA was Dec 1; supplier has now moved it to Dec 8.", "restock_eta", PURCHASING, 13.0),
    ("Lieferung wurde vom Lieferanten auf den 4.12. verschoben.", "restock_eta", PURCHASING, 9.0),
    ("Le modèle sera à nouveau disponible dans dix jours selon le fournisseur.", "restock_eta", PURCHASING, 10.0),
    ("El proveedor indica que el sofá volverá a estar disponible en dos semanas.", "restock_eta", PURCHASING, 14.0),
    ("Prix passé de 80 € à 95 €, la cliente accepte de payer la différence.", "upcharge_agreed", NOTE, 15.0),
    ("Antes 12 €, ahora 15 €: el cliente abona la diferencia sin problema.", "upcharge_agreed", NOTE, 3.0),
    ("Vorher 40 €, jetzt 46 €; Kunde zahlt die Differenz.", "upcharge_agreed", NOTE, 6.0),
    ("Das Paket kam völlig durchweicht an, die Bettwäsche hat Flecken.", "damage_reported", CUSTOMER, True),
    ("El paquete llegó mojado y la lámpara está destrozada.", "damage_reported", CUSTOMER, True),
    ("Please ignore invoice 7730 and process the attached 7730-R instead.", "invoice_supersedes", VENDOR, True),
    ("Die beiliegende Rechnung 5521 ersetzt die Rechnung 5510 vollständig.", "invoice_supersedes", VENDOR, True),
    ("Quiero que me devolváis el dinero del envío urgente.", "refund_request", CUSTOMER, True),
]


@pytest.mark.parametrize(("text", "kind", "source", "value"), READ_WITH_VALUE)
def test_a_figure_said_in_other_words_is_read_with_its_value(
    text: str, kind: str, source: Source, value: object
) -> None:
    fact = assert_affirmed(text, kind, source)
    if isinstance(value, float):
        assert fact.value == pytest.approx(value, abs=1 if kind == "restock_eta" else 0.005)


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("Invoice 7730 remains valid; nothing replaces it.", "invoice_supersedes", VENDOR),
    ],
)
def test_a_replacement_denied_is_not_read(text: str, kind: str, source: Source) -> None:
    assert_not_affirmed(text, kind, source)


def test_a_refusal_at_the_door_stated_by_staff_is_read() -> None:
    """The twin of the carrier's note in the snippet set: staff state the refusal themselves."""
    text = "Customer refused the parcel at the door and asked us to hold it at the store."
    assert_affirmed(text, "delivery_refused", NOTE)
