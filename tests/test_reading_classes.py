"""Classes of error the second blind set found (issue 40), each fixed by a general mechanism or by words in the
lexicon's data files, and each tested here in wordings written for these tests (never the set's own sentences), in
at least two languages, with a twin that must stay as it is.
"""

from __future__ import annotations

from datetime import date

import pytest

from ai_missions.nodes.reading import Reading, Source, read
from ai_missions.nodes.reading.offline import OfflineReader

TODAY = date(2026, 11, 25)
OFFLINE = OfflineReader(semantic=False)
NOTE = Source("crm", "N-9", "crm_note")
CUSTOMER = Source("helpdesk", "T-9", "customer_message")
VERIFICATION = Source("ap", "BA-9", "bank_accounts.verification_method")


def reading(text: str, kind: str, source: Source) -> Reading:
    return read([(source, text)], [kind], OFFLINE, today=TODAY)


def assert_not_positive(text: str, kind: str, source: Source) -> None:
    fact = reading(text, kind, source).get(kind)
    assert fact is None or fact.polarity != "affirmed", fact


def assert_affirmed(text: str, kind: str, source: Source, value: object = True) -> None:
    fact = reading(text, kind, source).get(kind)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    assert fact.value == value


# -- a later statement takes back an earlier one: withdrawn, replaced by an offer taken instead, or contradicted ----

TAKEN_BACK = [
    ("Kundin war mit 9 € Aufpreis einverstanden, hat aber heute früh widerrufen.", "upcharge_agreed", NOTE),
    ("Client d'accord pour les 6 € de plus, mais il a révoqué son accord par téléphone.", "upcharge_agreed", NOTE),
    ("Forget what I wrote about a refund, the replacement works fine.", "refund_request", CUSTOMER),
    ("Vergessen Sie, was ich zur Stornierung geschrieben habe, ich behalte alles.", "cancel_intent", CUSTOMER),
    ("La clienta pidió la devolución del dinero, pero después aceptó un cupón en su lugar.", "refund_request", NOTE),
    ("Le client voulait un remboursement, mais il a pris un bon d'achat à la place.", "refund_request", NOTE),
    ("Kunde wollte das Abo kündigen, hat aber dann den Rabatt angenommen.", "cancel_intent", NOTE),
    ("Cust wanted to close the account but in the end took the three free months.", "cancel_intent", NOTE),
    ("Verified call done, but the customer gave a different address - to be reconfirmed.", "address_confirmed", NOTE),
    ("Anruf verifiziert, aber Kunde nannte eine neue Anschrift, muss neu bestätigt werden.", "address_confirmed", NOTE),
    (
        "Called back on the number in our vendor master, but the person there had never heard of a new account.",
        "bank_verified",
        VERIFICATION,
    ),
    (
        "Llamamos al número de la ficha, pero allí nadie sabía nada del cambio de cuenta.",
        "bank_verified",
        VERIFICATION,
    ),
]

STANDS = [
    ("Kundin war mit 9 € Aufpreis einverstanden, bat aber um schnelle Lieferung.", "upcharge_agreed", NOTE, 9.0),
    ("Kunde wollte kündigen und hat es heute schriftlich bestätigt.", "cancel_intent", NOTE, True),
    ("Verified call done, customer confirmed the address on the order.", "address_confirmed", NOTE, True),
]


@pytest.mark.parametrize(("text", "kind", "source"), TAKEN_BACK)
def test_a_later_statement_that_takes_it_back_leaves_no_positive_fact(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source", "value"), STANDS)
def test_a_later_statement_that_does_not_take_it_back_leaves_it_standing(
    text: str, kind: str, source: Source, value: object
) -> None:
    assert_affirmed(text, kind, source, value)


def test_a_later_turn_about_the_thing_that_reads_as_nothing_leaves_it_unsure() -> None:
    """A risk taken on purpose (set 18): a later turn ("mais ...") about the thing, in words that read as nothing
    of the kind, may be what happened to it afterwards ("mais il s'est ravisé le lendemain"), so the fact is unsure,
    not affirmed, even where a person sees a detail ("mais il garde la boîte pour le retour"): an escalation, never
    an action on a fact that was taken back."""
    detail = "Le client a demandé un remboursement, mais il garde la boîte pour le retour."
    undone = "Le client a demandé un remboursement, mais le lendemain il s'est ravisé."
    for text in (detail, undone):
        fact = reading(text, "refund_request", NOTE).facts.get("refund_request")
        assert fact is not None
        assert fact.polarity != "affirmed", fact
    assert_affirmed("Le client a demandé un remboursement pour la boîte abîmée.", "refund_request", NOTE, True)


# -- asked or doubted, not stated: an indirect question ("asks whether", "fragt, ob") or a doubt ("not sure if") ----

ASKED = [
    ("Kunde fragt, ob eine Rückerstattung bei Sonderposten möglich wäre.", "refund_request", NOTE),
    ("Cust asked if a refund is allowed on gift purchases - sent her the returns page.", "refund_request", NOTE),
    ("Driver will come back Friday to check whether the frame is really bent.", "damage_reported", NOTE),
    ("Je ne sais pas si c'est cassé ou juste mal monté.", "damage_reported", CUSTOMER),
    ("No sé si el golpe es del transporte, hay una marca en la esquina.", "damage_reported", CUSTOMER),
    ("Ich weiß nicht, ob die Delle schon vorher da war.", "damage_reported", CUSTOMER),
    # a customer named in a note is no misspelt cancellation ("Kundin" is not "kündigen")
    ("Kundin fragt nach dem Lieferstatus, Sendung ist unterwegs.", "cancel_intent", NOTE),
]

ASSERTED = [
    ("Die Lampe kam kaputt an, ich weiß nicht, wie das passiert ist.", "damage_reported", CUSTOMER, True),
    ("Tech inspected it on site: the unit is defective.", "damage_reported", NOTE, True),
    ("El jarrón llegó roto, no sé cómo pasó.", "damage_reported", CUSTOMER, True),
    ("Kundin möchte die Bestellung stornieren.", "cancel_intent", NOTE, True),
]


@pytest.mark.parametrize(("text", "kind", "source"), ASKED)
def test_what_is_asked_or_doubted_is_no_positive_fact(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source", "value"), ASSERTED)
def test_what_is_said_beside_a_question_or_a_doubt_is_read(text: str, kind: str, source: Source, value: object) -> None:
    assert_affirmed(text, kind, source, value)


# -- recall: a refusal, a do-not-contact request or a departure said in other words (synonyms in the data files) ----

ACCOUNT = Source("crm", "A-9", "call_log.summary")

SAID_OTHERWISE = [
    ("We offered the beige one in its place; the customer turned it down.", "delivery_refused", NOTE),
    ("Customer sent the courier away at the door, will collect from the branch.", "delivery_refused", NOTE),
    ("Die angebotene Alternative lehnt die Kundin ab.", "delivery_refused", NOTE),
    ("Le client a décliné le modèle de remplacement proposé.", "delivery_refused", NOTE),
    ("No quiero el modelo sustituto que me ofrecen.", "delivery_refused", CUSTOMER),
    ("Please stop ringing me about the renewal.", "contact_paused", CUSTOMER),
    ("Schicken Sie mir bitte keine Newsletter mehr.", "contact_paused", CUSTOMER),
    ("Arrêtez de m'envoyer des offres, merci.", "contact_paused", CUSTOMER),
    ("Por favor, dejad de enviarme publicidad.", "contact_paused", CUSTOMER),
    ("Priya Shah is no longer with us. Please write to the AP inbox.", "contact_departed", ACCOUNT),
    ("Frau Kern ist seit Juli nicht mehr bei uns beschäftigt.", "contact_departed", ACCOUNT),
    ("Mme Roux ne fait plus partie de l'équipe depuis l'été.", "contact_departed", ACCOUNT),
    ("El Sr. Vidal ya no forma parte de la empresa.", "contact_departed", ACCOUNT),
]

NOT_SAID = [
    ("The customer may turn down the substitute, she decides tomorrow.", "delivery_refused", NOTE),
    ("Die Kundin hat die Alternative nicht abgelehnt, sie überlegt noch.", "delivery_refused", NOTE),
    ("Si el sustituto es más caro, lo rechazará.", "delivery_refused", NOTE),
    ("You can keep sending me offers, that's fine.", "contact_paused", CUSTOMER),
    ("Sie dürfen mir gerne weiter Angebote schicken.", "contact_paused", CUSTOMER),
    ("Priya Shah is out of office until Monday.", "contact_departed", ACCOUNT),
    ("Frau Kern ist bis Freitag im Urlaub, danach wieder erreichbar.", "contact_departed", ACCOUNT),
    ("Mme Roux va peut-être quitter l'entreprise l'an prochain.", "contact_departed", ACCOUNT),
]


@pytest.mark.parametrize(("text", "kind", "source"), SAID_OTHERWISE)
def test_a_refusal_a_pause_or_a_departure_in_other_words_is_read(text: str, kind: str, source: Source) -> None:
    assert_affirmed(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source"), NOT_SAID)
def test_their_hedged_conditional_or_unsaid_twins_are_not(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Parcel refused at the door by the customer, on its way back to the depot.", NOTE),
        ("Paket vom Empfänger verweigert, geht zurück ans Lager.", NOTE),
        ("Colis refusé par le destinataire, retour à l'entrepôt.", NOTE),
    ],
)
def test_a_refusal_at_the_door_is_read(text: str, source: Source) -> None:
    assert_affirmed(text, "delivery_refused", source)


def test_a_refusal_that_was_not_made_is_not() -> None:
    assert_not_positive("The parcel was not refused, the customer signed for it.", "delivery_refused", NOTE)
    assert_not_positive("Paket wurde nicht verweigert, Kunde hat unterschrieben.", "delivery_refused", NOTE)


# -- the alternative not taken, what was changed from, and "no need to" in fr/es -----------------------------------

NOT_WANTED = [
    ("La clienta pasó de retirar en tienda a entrega en casa.", "store_pickup", NOTE),
    ("Envoyez-le à mon adresse au lieu du retrait en boutique.", "store_pickup", CUSTOMER),
    ("Mándenlo a casa en vez del retiro en tienda.", "store_pickup", CUSTOMER),
    ("Pas la peine de me rembourser, je le garde.", "refund_request", CUSTOMER),
    ("No hace falta que me devolváis el dinero, me lo quedo.", "refund_request", CUSTOMER),
    ("No need to refund me, I'll keep it after all.", "refund_request", CUSTOMER),
    ("Inutile de me rembourser le port, je garde le colis.", "refund_request", CUSTOMER),
    ("A refund is unnecessary now, I'm keeping the lamp.", "refund_request", CUSTOMER),
    ("Eine Erstattung ist unnötig, ich behalte die Jacke.", "refund_request", CUSTOMER),
]

WANTED = [
    ("Je préfère le retrait en magasin au lieu de la livraison.", "store_pickup", CUSTOMER),
    ("Pasó de envío a domicilio a recogida en tienda.", "store_pickup", NOTE),
    ("Remboursez-moi, inutile de m'envoyer un autre article.", "refund_request", CUSTOMER),
]


@pytest.mark.parametrize(("text", "kind", "source"), NOT_WANTED)
def test_the_alternative_not_taken_is_not_wanted(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source"), WANTED)
def test_the_alternative_taken_is_wanted(text: str, kind: str, source: Source) -> None:
    assert_affirmed(text, kind, source)


# -- a verification by the wrong channel: the requester's own number, the vendor's own letter, or another thing checked

WRONG_CHANNEL = [
    "Phoned the cell number at the foot of the change notice email, Ana confirmed.",
    "Llamamos al móvil que venía al pie del correo del cambio, lo confirmó.",
    "The requestor supplied a direct number for checks; rang it and got a yes.",
    "El solicitante nos dio un teléfono directo para verificar; llamamos y lo confirmó.",
    "Vendor's notice states their bank has verified the new IBAN.",
    "La lettre du fournisseur indique que leur banque a validé le nouvel IBAN.",
    "Supplier contact e-mail address verified and working.",
    "E-Mail-Adresse des Ansprechpartners geprüft und gültig.",
]

RIGHT_CHANNEL = [
    ("Rang the number in our vendor master, not the one in the e-mail; controller confirmed the account.", "call_back"),
    ("Llamamos al teléfono de la ficha del proveedor, no al del correo; cuenta confirmada.", "call_back"),
]


@pytest.mark.parametrize("text", WRONG_CHANNEL)
def test_a_check_by_the_requesters_own_channel_or_of_another_thing_verifies_nothing(text: str) -> None:
    assert_not_positive(text, "bank_verified", VERIFICATION)


@pytest.mark.parametrize(("text", "method"), RIGHT_CHANNEL)
def test_a_call_back_to_the_number_on_file_verifies(text: str, method: str) -> None:
    assert_affirmed(text, "bank_verified", VERIFICATION, method)


# -- what was done before or quoted from an earlier mail, and a date still being clarified -----------------------

ONE_LINE_QUOTE = " / "

NOT_NOW = [
    ("Refund received for the kettle, thank you! When do mugs come back?", "refund_request", CUSTOMER),
    (
        f"On 11/03/26, help@store wrote: > We cancelled your order as asked.{ONE_LINE_QUOTE}Thanks! Any lamps?",
        "cancel_intent",
        CUSTOMER,
    ),
    (
        f"Am 02.11.26 schrieb service@laden: > Wir haben Ihre Bestellung storniert.{ONE_LINE_QUOTE}Danke! Frage:",
        "cancel_intent",
        CUSTOMER,
    ),
    ("Mill quoted delivery 05/06, we've asked them to clarify the date.", "restock_eta", NOTE),
    ("Nachlieferung laut Lieferant am 06/05, Datum wird noch geklärt.", "restock_eta", NOTE),
    ("Vendor sent 'ETA 04/05', US or EU format, we asked them to clarify.", "restock_eta", NOTE),
    ("Réassort annoncé au 04/05, format US ou européen, on leur a demandé de préciser.", "restock_eta", NOTE),
]

NOW = [
    (
        f"On Mon, help@store wrote: > Here is your return label.{ONE_LINE_QUOTE}Thanks. Please refund the full amount.",
        "refund_request",
        CUSTOMER,
        True,
    ),
    ("Refund not received yet for the jacket, please send it.", "refund_request", CUSTOMER, True),
    ("Mill clarified: restock lands December 12.", "restock_eta", NOTE, 17.0),
]


@pytest.mark.parametrize(("text", "kind", "source"), NOT_NOW)
def test_what_was_done_quoted_or_is_still_being_clarified_is_not_a_fact_now(
    text: str, kind: str, source: Source
) -> None:
    assert_not_positive(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source", "value"), NOW)
def test_what_is_asked_or_settled_now_is(text: str, kind: str, source: Source, value: object) -> None:
    assert_affirmed(text, kind, source, value)


# -- recall: damage said with an inflected or other word, an address confirmation in a clerk's short hand ----------

DAMAGE_OR_CONFIRMATION = [
    ("Der Spiegel kam mit zerbrochenem Rahmen an.", "damage_reported", CUSTOMER),
    ("Stuhl mit verbogenem Bein geliefert.", "damage_reported", NOTE),
    ("La tasse est arrivée avec l'anse brisée.", "damage_reported", CUSTOMER),
    ("Le grille-pain ne chauffe plus depuis hier.", "damage_reported", CUSTOMER),
    ("La lámpara llegó hecha pedazos.", "damage_reported", CUSTOMER),
    ("Unboxed it and the mirror is in four pieces.", "damage_reported", CUSTOMER),
    ("The monitor flickers and then shuts off.", "damage_reported", CUSTOMER),
    ("Called the customer, security check passed, she confirmed the delivery addr.", "address_confirmed", NOTE),
    ("Kunde angerufen, Verifizierung ok, Lieferadr. ist korrekt laut Kunde.", "address_confirmed", NOTE),
]

NO_DAMAGE_OR_CONFIRMATION = [
    ("Der Rahmen ist nicht zerbrochen, nur etwas staubig.", "damage_reported", CUSTOMER),
    ("La tasse n'est pas brisée.", "damage_reported", CUSTOMER),
    ("La lámpara no llegó hecha pedazos, llegó perfecta.", "damage_reported", CUSTOMER),
    ("The monitor no longer flickers after the update.", "damage_reported", CUSTOMER),
    ("Called the customer, no answer; delivery addr not confirmed.", "address_confirmed", NOTE),
    ("Kunde angerufen, nicht erreicht, Lieferadr. nicht bestätigt.", "address_confirmed", NOTE),
]


@pytest.mark.parametrize(("text", "kind", "source"), DAMAGE_OR_CONFIRMATION)
def test_damage_or_a_confirmation_in_other_forms_is_read(text: str, kind: str, source: Source) -> None:
    assert_affirmed(text, kind, source)


@pytest.mark.parametrize(("text", "kind", "source"), NO_DAMAGE_OR_CONFIRMATION)
def test_their_denied_twins_are_not(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


# -- which record: a statement that sets one record against another does not say which one this is ---------------


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("The $15 engraving the customer agreed to is on order 44100, not on order 44710.", "upcharge_agreed", NOTE),
        ("Die Rückerstattung gilt für Bestellung 55210, nicht für Bestellung 55300.", "refund_request", NOTE),
        ("El recargo de 8 € aceptado es del pedido 77100, no del pedido 77250.", "upcharge_agreed", NOTE),
    ],
)
def test_a_fact_set_on_one_of_two_named_records_is_unsure(text: str, kind: str, source: Source) -> None:
    assert_not_positive(text, kind, source)


def test_a_fact_set_on_this_record_against_another_stands() -> None:
    text = "The customer agreed to the $15 engraving on this order, not on her order 44100."
    assert_affirmed(text, "upcharge_agreed", NOTE, 15.0)
