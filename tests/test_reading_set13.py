"""Mechanisms written for set 13's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 13"). Our own wordings, never the set's."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ai_missions.nodes.reading import Source, read
from ai_missions.nodes.reading.figures import times
from ai_missions.nodes.reading.lexicon import HERE, default, fold, load
from ai_missions.nodes.reading.offline import OfflineReader, _parts
from ai_missions.nodes.reading.statements import analyse
from tests.support.reading_checks import TODAY, stated

NOTE = Source("retail", "N-13", "staff_note")
CUSTOMER = Source("helpdesk", "T-13", "customer_message")
ADDRESS = Source("order", "O-13", "address_line")


def test_a_footer_after_a_closing_inside_a_line_is_boilerplate() -> None:
    """A one-line export writes a signature's "-- " line after the message: what follows a thank-you or a closing and
    a name is the shop's footer; a dash inside a sentence is prose."""
    regions = [(s.region, s.text) for s in analyse("Many thanks! -- Oakline Ltd | Collect free at all stores")]
    assert regions[0] == ("signature", "Many thanks!")
    assert all(region == "boilerplate" for region, _ in regions[1:])
    closing = [s.region for s in analyse("Kind regards, Mia -- Oakline Ltd · Click & collect everywhere")]
    assert closing[0] == "signature"
    assert set(closing[1:]) == {"boilerplate"}
    prose = analyse("The lid is cracked -- the base is fine, I'll collect a new lid at the store")
    assert all(s.region == "body" for s in prose)


def test_a_reason_is_its_own_part_unless_it_is_denied() -> None:
    """A negation before "because" does not reach into the reason; "not because" denies the reason itself."""
    folded = "i refused the parcel because it was not my colour"
    assert len(_parts(folded)) == 2
    assert len(_parts("i sent it back not because it was broken")) == 1


def test_a_slash_date_is_read_in_the_order_of_the_text_language() -> None:
    """A French, German or Spanish note writes a slash date day first (``[language] slash_order``); an English one
    may be either (US or UK writers), so its slash date stays ambiguous unless the text declares its order."""
    today = date(2026, 11, 25)
    french = times(fold("réassort confirmé pour le 03/12/2026"), today, default())
    assert [w.days for w in french] == [8.0]
    english = times(fold("restock confirmed for 03/12/2026"), today, default())
    assert english[0].ambiguous


def test_the_accent_tells_yes_from_if() -> None:
    """ "Sí" (yes) folds onto "si" (if): written with its accent it states no condition (``[language] accented``)."""
    assert not analyse("Sí, me quedo con el descuento del 20%.")[0].conditional
    assert analyse("Si me dejan el 20%, me quedo.")[0].conditional


def test_a_bare_no_takes_back_only_its_own_statement() -> None:
    """ "..., actually no" takes back the thing of its own statement; what earlier statements said stands."""
    text = (
        "I refused the parcel, the box was crushed. Please add the gift wrap for $4, actually no, not needed after all."
    )
    refused = stated(text, "delivery_refused", CUSTOMER)
    wrap = stated(text, "upcharge_agreed", CUSTOMER)
    assert refused is not None
    assert refused.polarity == "affirmed", refused
    assert wrap is not None
    assert wrap.polarity == "negated", wrap


def test_a_later_word_that_leaves_it_unresolved_hedges_with_the_first_words() -> None:
    fact = stated("Driver: parcel refused. Customer: was never at home. Being investigated.", "delivery_refused", NOTE)
    assert fact is not None
    assert fact.polarity == "hedged", fact


def test_an_opposite_said_of_the_rest_denies_nothing() -> None:
    fact = stated("Two of the six glasses came shattered, the others are fine.", "damage_reported", CUSTOMER)
    assert fact is not None
    assert fact.polarity == "affirmed", fact
    whole = stated("The six glasses came in a dented box, but they are fine.", "damage_reported", CUSTOMER)
    assert whole is None or whole.polarity != "affirmed", whole


def test_a_cue_inside_the_kinds_opposite_is_the_opposites() -> None:
    """ "regular delivery is fine" holds "is fine", an agreement word: inside the opposite, it agrees to nothing."""
    text = "I okayed the $25 express fee yesterday. Please take it off, regular delivery is fine."
    fact = stated(text, "upcharge_agreed", CUSTOMER)
    assert fact is not None
    assert fact.polarity == "negated", fact


def test_the_customer_named_in_an_address_line_is_not_its_writer() -> None:
    """A field's name ("address_line") only guesses its writer: a line that names the customer in the third person
    ("confirmed by the customer") was written by someone else, so the confirmation is not the customer's own word."""
    line = "4 Mill Row, Leeds LS1 4AA - confirmed by the customer on a verified call"
    named = stated(line, "address_confirmed", ADDRESS)
    assert named is not None
    assert named.polarity == "affirmed", named
    own = stated("4 Mill Row, Leeds LS1 4AA - I confirmed this on the phone", "address_confirmed", ADDRESS)
    assert own is None or own.polarity != "affirmed", own


def test_an_unresolved_word_added_to_a_data_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "lexicon"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = "Customer refused the parcel at the door. Ticket with the depot still open."
    before = OfflineReader(semantic=False, lexicon=load(folder))
    fact = read([(NOTE, text)], ["delivery_refused"], before, today=TODAY).facts["delivery_refused"]
    assert fact.polarity == "affirmed"
    data = (folder / "en.toml").read_text(encoding="utf-8")
    marker = 'unresolved = ["under investigation",'
    assert marker in data
    (folder / "en.toml").write_text(data.replace(marker, 'unresolved = ["ticket ~ still open", "under investigation",'))
    after = OfflineReader(semantic=False, lexicon=load(folder))
    fact = read([(NOTE, text)], ["delivery_refused"], after, today=TODAY).facts["delivery_refused"]
    assert fact.polarity == "hedged"


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_each_day_first_language_declares_its_order(language: str) -> None:
    assert default().slash_orders.get(language) == "DMY"
    assert "en" not in default().slash_orders


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("To do: call back the vendor on the number in the master file", "hedged"),
        ("À faire : contre-appel au numéro connu du fournisseur", "hedged"),
        ("Pendiente: llamada al número registrado del proveedor", "hedged"),
        ("Note: verified by callback to the number on file", "affirmed"),
    ],
)
def test_a_plan_label_before_a_colon_makes_the_rest_a_plan(label: str, expected: str) -> None:
    """ "to do:", "À faire :", "Pendiente:" head what follows as still to be done; another label ("Note:") does not."""
    source = Source("invoice-approval", "B-13", "bank_accounts.verification_method")
    fact = stated(label, "bank_verified", source)
    assert fact is not None
    assert fact.polarity == expected


def test_an_earlier_request_in_the_pluperfect_gives_way_to_what_follows() -> None:
    """ "I had asked ..., but ..." (``at_first``): the request no longer holds; said with "and still", it does."""
    taken_back = stated(
        "Ich hatte um keine Werbung gebeten, aber Sie können mir jetzt wieder schreiben.", "contact_paused", CUSTOMER
    )
    assert taken_back is None or taken_back.polarity != "affirmed"
    held = stated("I had asked you to stop emailing me and I still don't want any offers.", "contact_paused", CUSTOMER)
    assert held is not None
    assert held.polarity == "affirmed"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Supplier: back in stock in twelve days (their email of today).", 12.0),
        ("Laut Lieferant in drei Wochen wieder da (Nachricht vom Montag).", 21.0),
        ("Réassort dans dix jours d'après le fournisseur (mail de ce matin).", 10.0),
        ("Reposición en dos semanas según el proveedor (mensaje de ayer).", 14.0),
        ("Supplier email from Monday: restock on 4 Dec.", 9.0),
    ],
)
def test_the_time_a_message_was_sent_is_not_the_restock(text: str, days: float) -> None:
    """ "email from this morning", "Nachricht vom Montag" (``sent_at``) date the message, not the restock."""
    fact = stated(text, "restock_eta", NOTE)
    assert fact is not None
    assert (fact.polarity, fact.value) == ("affirmed", days)


@pytest.mark.parametrize(
    "text",
    [
        "I accept the upgrade from the 256 GB model: before 199 €, now 249 €, I'll pay the difference.",
        "Kunde nimmt das Upgrade von 128 GB: vorher 199 €, jetzt 249 €, zahlt die Differenz.",
        "Acepto pasar al modelo de 256 GB: antes 199 €, ahora 249 €, pago la diferencia.",
    ],
)
def test_a_price_change_is_found_after_an_earlier_from_word(text: str) -> None:
    """A "from"/"de"/"von" naming a model's size before the prices does not hide the change said after it."""
    fact = stated(text, "upcharge_agreed", CUSTOMER)
    assert fact is not None
    assert (fact.polarity, fact.value) == ("affirmed", 50.0)


def test_the_writers_answer_after_a_quoted_line_is_the_body() -> None:
    """A one-line export writes the quote, a "--" mark, then the answer: what follows the mark is the writer's; a
    quoted message's own footer (after a closing) stays quoted."""
    regions = [
        (s.region, s.text) for s in analyse("Hi, > Support wrote: > New one or refund? -- New one. It was cracked.")
    ]
    assert regions[-2:] == [("body", "New one."), ("body", "It was cracked.")]
    footer = analyse("Hi, > Support wrote: > Sorry it broke, thanks! -- Shop Ltd, free returns on all orders")
    assert all(s.region != "body" for s in footer[1:])
