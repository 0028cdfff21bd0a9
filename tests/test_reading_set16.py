"""Mechanisms written for set 16's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 16"). Our own wordings, never the set's."""

from __future__ import annotations

import re

from ai_missions.nodes.reading import Source
from ai_missions.nodes.reading.lexicon import default, fold
from ai_missions.nodes.reading.offline import bank_method
from ai_missions.nodes.reading.statements import adverbials, analyse
from tests.support.reading_checks import assert_affirmed, assert_not_affirmed, stated

NOTE = Source("crm", "A-16", "crm_note")


def test_when_and_how_a_thing_was_undone_is_no_object_of_its_own() -> None:
    """A day in digits and a channel ("on 4/12 by email", "am 03.12. per Mail") say when and how: the undoing verb
    before or after them still takes back what came before."""
    pattern = re.compile(adverbials(default()) + r"\s*$")
    assert pattern.match(fold(" 4/12 by email")) is not None
    assert pattern.match(fold(" am 03.12. per mail")) is not None
    assert pattern.match(fold(" the duplicate")) is None
    assert_not_affirmed("Took the loyalty discount on 2/12 but revoked 6/12 by phone.", "offer_accepted", NOTE)
    assert_affirmed("Aceptó la oferta el 2/12 por teléfono.", "offer_accepted", NOTE)


def test_a_time_of_day_ends_its_sentence_before_a_capital() -> None:
    """ "... 3/12 10:15. Withdraws the cancellation." is two sentences: what the second takes back is its own."""
    statements = analyse("Took the smaller plan on the phone 3/12 10:15. Withdraws the cancellation.")
    assert len({s.sentence for s in statements}) == 2
    assert len({s.sentence for s in analyse("Callback at 10:15. then nothing")}) == 1


def test_a_later_statement_that_undoes_another_kinds_thing_leaves_this_one() -> None:
    """ "Cancellation request withdrawn" undoes the cancellation, not the discount taken before it; "scratch that,
    I'd rather swap it" still takes back the refund asked before."""
    assert_affirmed("Took the three free months on the call. Cancellation request withdrawn.", "offer_accepted", NOTE)
    assert_not_affirmed(
        "I'd like my money back. Scratch that, I'd rather swap it for the blue one.",
        "refund_request",
        Source("helpdesk", "T-16", "customer_message"),
    )


def test_a_sibling_number_in_the_cues_part_is_another_record() -> None:
    """The note is on 4410 and says 4411 was cancelled: the cue's part names only the sibling's number."""
    orders = Source("orders", "O-16", "crm_note")
    text = "note on ord 4410: cust cancelled {} (double order). this one ({}) goes out as normal."
    assert_not_affirmed(text.format("4411", "4410"), "cancel_intent", orders)
    assert_affirmed(text.format("4410", "4410"), "cancel_intent", orders)


def test_a_binding_condition_in_the_next_sentence_binds_what_came_before() -> None:
    """ "Only if it is in stock." opening the next sentence makes the swap asked before conditional."""
    fact = stated("Customer wants to swap the lamp for the brass one. Only if it is in stock.", "exchange_intent", NOTE)
    assert fact is not None
    assert fact.polarity == "conditional"
    assert_affirmed("Customer wants to swap the lamp for the brass one. It is in stock.", "exchange_intent", NOTE)


def test_a_question_that_opens_the_cues_part_asks_it() -> None:
    """After a lead-in ("one thing before I buy - can ...?") the cue's own part asks; a stated part before a question
    stays stated ("The zip arrived torn, can you send a new one?")."""
    message = Source("helpdesk", "T-16", "customer_message")
    asked = "One thing before I buy - can outlet items be exchanged for another size, or not?"
    assert_not_affirmed(asked, "exchange_intent", message)
    assert_affirmed("The zip arrived torn, can you send a new one?", "damage_reported", message)


def test_a_cue_inside_a_longer_word_that_undoes_is_that_words() -> None:
    """ "contre-passée" holds "passée": the entry was reversed, not posted again."""
    ap = Source("ap", "I-16", "ap_note")
    assert_not_affirmed("Écriture manuelle saisie le 2/12 puis contre-passée.", "ledger_posted", ap)
    assert_affirmed("Extourne manuelle passée le 2/12.", "ledger_posted", ap)


def test_a_letters_signed_reply_is_no_email_and_a_numbers_no_is_no_denial() -> None:
    """ "signed reply" after a letter to the address on file is the letter's answer (``other``), not an e-mail
    "reply": the longer method's words hold the shorter; "the switchboard no." names a number, it denies nothing."""
    assert bank_method("Letter to the registered address, signed reply received 2/12.") == "other"
    assert bank_method("Brief an die hinterlegte Adresse, unterschriebene Antwort am 2.12. erhalten.") == "other"
    assert bank_method("Courrier à l'adresse enregistrée, réponse signée reçue le 2/12.") == "other"
    assert bank_method("Carta a la dirección registrada, respuesta firmada recibida el 2/12.") == "other"
    assert bank_method("Reply received by e-mail from the known address.") == "email"
    assert bank_method("Rang the vendor on the switchboard no. from our master file, details confirmed.") == "call_back"
    assert bank_method("No call to the switchboard; confirmed by e-mail only.") == "email"


def test_a_bare_no_before_a_capital_ends_its_sentence_and_a_number_no_does_not() -> None:
    """ "but no. Close the account" is two sentences; "the main line no. from our master file" is one, as are
    "Adr. tel." and "verif. Anruf" (abbreviations)."""
    assert len({s.sentence for s in analyse("Thanks for the discount but no. Please close my account.")}) == 2
    assert len({s.sentence for s in analyse("Called the main line no. from our master file.")}) == 1
    assert len({s.sentence for s in analyse("Hauptstr. 12 – Adr. tel. bestätigt (verif. Anruf 24.11.)")}) == 1


def test_an_address_line_initialled_is_staffs() -> None:
    """An address line's writer is guessed from its field (the customer's); initials that close it ("(call 24/11,
    RJ)") say a staff member wrote it, so a confirmation on a call stands; without them it stays the customer's."""
    line = Source("orders", "O-16", "address_line")
    assert_affirmed("12 Elm Road, Leeds - addr confirmed by phone (call 24/11, RJ)", "address_confirmed", line)
    assert_not_affirmed("12 Elm Road, Leeds - addr confirmed by phone (call 24/11)", "address_confirmed", line)


def test_another_languages_infinitive_is_no_typo() -> None:
    """ "acceptar" is one vowel from the French "accepter": another conjugation's or language's form, which the
    typo corrector leaves as written (a Spanish "contactar" had been read as the French word)."""
    lexicon = default()
    assert lexicon.correct("acceptar") == "acceptar"  # not "accepter"
    assert lexicon.correct("ajoutar") == "ajoutar"
    assert lexicon.correct("rembourcement") == "remboursement"
