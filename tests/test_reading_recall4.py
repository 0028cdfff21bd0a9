"""Recall classes the fourth blind set found (issue 40), each fixed by words in the lexicon's data files or a general
mechanism, tested in wordings written for these tests (never the set's own sentences), with twins that must not
become positive facts. (The project's snippet set keeps its holdout at 35% of all snippets, so these live here.)
"""

from __future__ import annotations

from datetime import date

import pytest

from ai_missions.nodes.reading import Source, read
from ai_missions.nodes.reading.offline import OfflineReader

TODAY = date(2026, 11, 25)
OFFLINE = OfflineReader(semantic=False)
NOTE = Source("crm", "N-4", "crm_note")
CUSTOMER = Source("helpdesk", "T-4", "customer_message")
PURCHASING = Source("erp", "PO-4", "purchasing_note")
VENDOR = Source("ap", "INV-4", "vendor_email")

# a request not to cancel one of two orders, wanting both; do-not-contact and departures in other words; a size as
# the thing exchanged; a store named by a compound; the alternative not taken ("rather than waiting for the courier")
READ = [
    ("Please do not cancel order 5521, it's a second set for our holiday flat.", "orders_both_wanted", CUSTOMER),
    ("Die zweite Bestellung bitte keinesfalls stornieren, sie geht an meinen Bruder.", "orders_both_wanted", CUSTOMER),
    ("Dos pedidos casi iguales: la clienta dice que quiere ambos.", "orders_both_wanted", NOTE),
    ("No more sales calls for the next two months please, I'm overseas.", "contact_paused", CUSTOMER),
    ("Merci de ne plus m'écrire avant la fin de l'année.", "contact_paused", CUSTOMER),
    ("Kundin wünscht bis Ende März keine Kontaktaufnahme.", "contact_paused", NOTE),
    ("Our buyer Laura has moved on, her replacement starts next week.", "contact_departed", NOTE),
    ("Ich bin ab sofort nicht mehr bei der Firma Keller tätig.", "contact_departed", CUSTOMER),
    ("No thanks to the replacement model, we'll wait for the original to come back.", "delivery_refused", CUSTOMER),
    ("These jeans are too small, can you swap them for a 34?", "exchange_intent", CUSTOMER),
    ("Quiero la camisa en talla L, la M me queda pequeña.", "exchange_intent", CUSTOMER),
    ("Rather than waiting for the courier again, I'll pick it up at your Leeds store.", "store_pickup", CUSTOMER),
    ("Ich hole die Lampe lieber selbst im Baumarkt ab.", "store_pickup", CUSTOMER),
]

NOT_READ = [
    ("I ordered the lamp twice by accident, please cancel the second one.", "orders_both_wanted", CUSTOMER),
    ("Laura moved on to a new project internally but remains our buyer.", "contact_departed", NOTE),
]


@pytest.mark.parametrize(("text", "kind", "source"), READ)
def test_a_statement_without_the_old_keywords_is_read(text: str, kind: str, source: Source) -> None:
    fact = read([(source, text)], [kind], OFFLINE, today=TODAY).get(kind)
    assert fact is not None
    assert fact.polarity == "affirmed", fact


@pytest.mark.parametrize(("text", "kind", "source"), NOT_READ)
def test_its_twin_that_denies_or_says_something_else_is_not(text: str, kind: str, source: Source) -> None:
    fact = read([(source, text)], [kind], OFFLINE, today=TODAY).get(kind)
    assert fact is None or fact.polarity != "affirmed", fact


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
    fact = read([(source, text)], [kind], OFFLINE, today=TODAY).get(kind)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    if isinstance(value, float):
        assert fact.value == pytest.approx(value, abs=1 if kind == "restock_eta" else 0.005)


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("Invoice 7730 remains valid; nothing replaces it.", "invoice_supersedes", VENDOR),
    ],
)
def test_a_replacement_denied_is_not_read(text: str, kind: str, source: Source) -> None:
    fact = read([(source, text)], [kind], OFFLINE, today=TODAY).get(kind)
    assert fact is None or fact.polarity != "affirmed", fact


def test_a_refusal_at_the_door_stated_by_staff_is_read() -> None:
    """The twin of the carrier's note in the snippet set: staff state the refusal themselves."""
    text = "Customer refused the parcel at the door and asked us to hold it at the store."
    fact = read([(NOTE, text)], ["delivery_refused"], OFFLINE, today=TODAY).get("delivery_refused")
    assert fact is not None
    assert fact.polarity == "affirmed", fact


# an offer of a substitute answered with a bare "no thanks" on the next line of a call log: refused
OFFER_DECLINED = [
    "Agent: we could send the 500 ml bottle in place of the 1 litre one."
    " / Customer: no thanks, just remove it from the order.",
    "Mitarbeiter: Wir können Ihnen ein anderes Modell als Ersatz schicken. / Kunde: Nein danke, ich warte lieber.",
    "Conseiller : nous pouvons vous envoyer un modèle équivalent en remplacement."
    " / Client : non merci, j'annule cet article.",
]
OFFER_NOT_DECLINED = [
    "Agent: we could send the 500 ml bottle in place of the 1 litre one. / Customer: yes please, that works.",
    "Agente: podemos enviarle otro color en lugar del agotado. / Cliente: sí, perfecto, envíenlo.",
    "Agent: we can send a replacement next week. / Customer: no rush, next week is fine.",
]


@pytest.mark.parametrize("text", OFFER_DECLINED)
def test_an_offer_answered_no_is_a_refusal(text: str) -> None:
    fact = read([(NOTE, text)], ["delivery_refused"], OFFLINE, today=TODAY).get("delivery_refused")
    assert fact is not None
    assert fact.polarity == "affirmed", fact


@pytest.mark.parametrize("text", OFFER_NOT_DECLINED)
def test_an_offer_answered_yes_or_not_refused_is_not(text: str) -> None:
    fact = read([(NOTE, text)], ["delivery_refused"], OFFLINE, today=TODAY).get("delivery_refused")
    assert fact is None or fact.polarity != "affirmed", fact
