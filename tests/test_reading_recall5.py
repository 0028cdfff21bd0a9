"""Classes the fifth blind set found (issue 40), each fixed by words in the lexicon's data files or a general
mechanism, tested in wordings written for these tests (never the set's own sentences). (The project's snippet set
keeps its holdout at 35% of all snippets, so these live here.)
"""

from __future__ import annotations

import pytest

from ai_missions.nodes.reading import Source
from ai_missions.nodes.reading.lexicon import default
from tests.support.reading_checks import assert_affirmed, fact_of, stated

NOTE = Source("crm", "N-5", "crm_note")
CALLS = Source("crm", "C-5", "call_log")
CUSTOMER = Source("helpdesk", "T-5", "customer_message")
VENDOR = Source("ap", "INV-5", "vendor_email")
VERIFICATION = Source("ap", "BA-5", "bank_accounts.verification_method")


def test_an_inflection_is_not_corrected_as_a_typo() -> None:
    """Typo tolerance keeps a word's tense: present "se jubila" is not past "se jubiló" misspelt."""
    assert default().correct("jubila") == "jubila"
    fact = stated("El Sr. Ortiz se jubila el 31 de marzo.", "contact_departed", NOTE)
    assert fact is None or fact.polarity != "affirmed", fact


# a price said as old and new ("previous price ..., new price ...", "statt ... jetzt ...", "coûtait ..., passe à
# ..."), thousands written with separators: the agreed amount is the difference
PRICE_CHANGES = [
    ("Agreed to the bigger sofa: previous price 1,150.00, new price 1,240.00.", 90.0),
    ("Kunde akzeptiert die Eckvariante, statt 1.200 Euro jetzt 1.275 Euro.", 75.0),
    ("La cliente acepta el cambio: precio anterior 59 €, nuevo precio 72 €.", 13.0),
    ("Le client accepte : la table coûtait 310 €, elle passe à 345 €.", 35.0),
]


@pytest.mark.parametrize(("text", "difference"), PRICE_CHANGES)
def test_a_price_said_as_old_and_new_is_agreed_as_its_difference(text: str, difference: float) -> None:
    fact = stated(text, "upcharge_agreed", NOTE)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    assert fact.value == difference


# a variant named by its size or measure ("an L", "a 9", "90x200", "50 pulgadas") and the writer moved onto it
# ("switch me to", "passer au modèle", "cámbiame a"): an exchange wanted
VARIANTS = [
    "Can you switch me to the 90x200 topper instead of the 80x200?",
    "The trainers pinch - please send a 9 instead.",
    "Je préfère passer au modèle en chêne, merci.",
    "Cámbiame a la versión de 50 pulgadas, por favor.",
    "Bitte die Matratze in 140x200 statt 160x200 schicken.",
]
NOT_VARIANTS = ["Could you switch me to the 10am slot instead?", "Please change the delivery to the 5th, I'm away."]


@pytest.mark.parametrize("text", VARIANTS)
def test_a_variant_named_by_its_size_is_an_exchange(text: str) -> None:
    fact = fact_of(text, "exchange_intent", CUSTOMER)
    assert fact is not None
    assert fact.polarity == "affirmed", fact


@pytest.mark.parametrize("text", NOT_VARIANTS)
def test_a_slot_or_a_day_is_no_variant(text: str) -> None:
    assert fact_of(text, "exchange_intent", CUSTOMER) is None


def test_an_update_mark_still_takes_back() -> None:
    fact = stated("I want to cancel. Update: never mind, I'll keep it.", "cancel_intent", CUSTOMER)
    assert fact is None or fact.polarity != "affirmed", fact


# an amount written bare beside the extra ("the extra 12", "die 8 extra", "les 15 de plus", "7 más") is the amount
# agreed; a duration beside it ("the extra 2 days") is none
BARE_AMOUNTS = [
    ("Customer ok with the extra 12 for gift wrap.", 12.0),
    ("Kunde zahlt die 8 extra für Expressversand, passt.", 8.0),
    ("La cliente accepte les 15 de plus pour la livraison express.", 15.0),
    ("Cliente acepta pagar 7 más por el envío urgente.", 7.0),
]


@pytest.mark.parametrize(("text", "amount"), BARE_AMOUNTS)
def test_a_bare_amount_beside_the_extra_is_its_value(text: str, amount: float) -> None:
    fact = stated(text, "upcharge_agreed", NOTE)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    assert fact.value == amount


def test_a_duration_beside_the_extra_is_no_amount() -> None:
    fact = stated("OK, I'll pay the extra 2 days' delivery.", "upcharge_agreed", CUSTOMER)
    assert fact is None or fact.value is None, fact


# kinds said in other words: a fault by its symptom ("leckt", "undicht", "fuit", "chauffe anormalement"), both
# orders wanted as a short answer ("yes, both", "necesita ambos"), an invoice "annulant et remplaçant", a restock as
# "rentrent en stock"
OTHER_WORDS = [
    ("Der Wasserkocher ist undicht, auf dem Tisch steht eine Pfütze.", "damage_reported", CUSTOMER),
    ("La bouilloire fuit par le bas depuis le premier jour.", "damage_reported", CUSTOMER),
    (
        "Two identical desks on 7710 and 7711: cust confirmed, yes both, one for the office and one for home.",
        "orders_both_wanted",
        NOTE,
    ),
    ("Dos sillas iguales en 5510 y 5511; la clienta confirma que quiere las dos.", "orders_both_wanted", NOTE),
    ("Avoir n° 55 annulant et remplaçant la facture F-310.", "invoice_supersedes", VENDOR),
    ("Le fournisseur confirme : les bols rentrent en stock le 4 décembre.", "restock_eta", NOTE),
]


@pytest.mark.parametrize(("text", "kind", "source"), OTHER_WORDS)
def test_a_kind_in_other_words_is_read(text: str, kind: str, source: Source) -> None:
    assert_affirmed(text, kind, source)


def test_a_short_answer_that_says_no_is_not_both() -> None:
    fact = stated("Asked if she wants both; she said no, cancel one.", "orders_both_wanted", NOTE)
    assert fact is None or fact.polarity != "affirmed", fact


# "I cancelled ... last month": something the writer did before, not a cancellation asked now
DONE_BEFORE = [
    "We cancelled the cleaning contract last year, which is why budgets are tight; the coffee subscription stays.",
    "I cancelled my phone plan a month ago so I'm watching costs, but the wine club stays.",
]


@pytest.mark.parametrize("text", DONE_BEFORE)
def test_a_cancellation_done_before_is_not_asked_now(text: str) -> None:
    fact = stated(text, "cancel_intent", CUSTOMER)
    assert fact is None or fact.polarity != "affirmed", fact
    asked = stated("I want to cancel my wine club membership.", "cancel_intent", CUSTOMER)
    assert asked is not None
    assert asked.polarity == "affirmed", asked


# more kinds in other words: a substitute not wanted, a manual journal as "OD manuelle", "pay the attached invoice
# instead", a contact who left a company named with its legal form; and a refusal on a condition stays conditional
MORE_WORDS = [
    ("I don't want the replacement model, I'll wait for the original.", "delivery_refused", CUSTOMER),
    ("OD manuelle n° 4410 saisie hier par la comptabilité.", "ledger_posted", NOTE),
    ("Corrected VAT on INV-88 - please process the attached invoice instead.", "invoice_supersedes", VENDOR),
    ("Sara Lind left Nordic Pumps AB last spring.", "contact_departed", NOTE),
]


@pytest.mark.parametrize(("text", "kind", "source"), MORE_WORDS)
def test_more_kinds_in_other_words(text: str, kind: str, source: Source) -> None:
    assert_affirmed(text, kind, source)


def test_a_refusal_on_a_condition_is_conditional() -> None:
    fact = stated("If the original is gone, I don't want a substitute.", "delivery_refused", CUSTOMER)
    assert fact is None or fact.polarity != "affirmed", fact


def test_the_same_words_done_state_it() -> None:
    fact = stated(
        "We issued a credit note and then a corrected invoice replacing INV-77.", "invoice_supersedes", VENDOR
    )
    assert fact is not None
    assert fact.polarity == "affirmed", fact


# a store named as a centre or a pickup point ("en el centro de", "punto de recogida"); a home in the town centre is
# no store
def test_a_pickup_point_is_a_store() -> None:
    text = "Lo recojo yo en el punto de recogida de Alcalá, gracias."
    fact = fact_of(text, "store_pickup", CUSTOMER)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    home = "Vivo en el centro de Madrid, envíenlo a casa por favor."
    fact = fact_of(home, "store_pickup", CUSTOMER)
    assert fact is None or fact.polarity == "negated", fact  # "send it home" denies a pickup (set 12)
