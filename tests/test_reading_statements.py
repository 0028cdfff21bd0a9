"""Statements, then facts (issue 40): who said it, about which record, when, and on what condition.

Every wording here was written for these tests, in other words than the reading sets (the project's and the blind
ones kept outside it): each class of error the issue names, in the four languages, so a fix for one sentence shows.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from ai_missions.cli import main
from ai_missions.nodes.reading import Reading, Source, read
from ai_missions.nodes.reading.figures import amounts, days_until
from ai_missions.nodes.reading.lexicon import HERE, load
from ai_missions.nodes.reading.offline import OfflineReader
from ai_missions.nodes.reading.statements import analyse

TODAY = date(2026, 11, 25)  # a Wednesday
OFFLINE = OfflineReader(semantic=False)
NOTE = Source("crm", "N-7", "body")
CUSTOMER = Source("helpdesk", "T-7", "customer_message")
VERIFICATION = Source("ap", "BA-7", "bank_accounts.verification_method")
VENDOR = Source("mail", "M-7", "vendor_email")


def reading(text: str, kind: str, source: Source = NOTE) -> Reading:
    return read([(source, text)], [kind], OFFLINE, today=TODAY)


# (text, kind, source): none of these may become a positive fact
NOT_POSITIVE = [
    # a later statement takes it back
    ("Customer OK'd the $11 express fee, then phoned back to drop it.", "upcharge_agreed", NOTE),
    ("Kundin war mit dem Aufpreis einverstanden, hat ihn aber später per Mail zurückgezogen.", "upcharge_agreed", NOTE),
    ("Please ignore my cancellation request from this morning.", "cancel_intent", CUSTOMER),
    ("Cust moved from in-store collection to home delivery.", "store_pickup", NOTE),
    ("Olvide mi petición de cambio, al final la talla me queda bien.", "exchange_intent", CUSTOMER),
    # someone else's words or situation
    ("My sister returned hers and got refunded; mine is fine.", "refund_request", CUSTOMER),
    ("Her partner said the $20 upgrade is fine, she has not answered yet.", "upcharge_agreed", NOTE),
    ("Mon voisin a résilié son abonnement, pas moi.", "cancel_intent", CUSTOMER),
    ("The courier's slip says 'damaged' but the lamp inside is perfect.", "damage_reported", CUSTOMER),
    # another record
    ("The refund was for her previous order, not this one.", "refund_request", NOTE),
    ("The red ones restock Monday; the white ones on this order are discontinued.", "restock_eta", NOTE),
    # conditions and hedges
    ("I'll take the downgrade provided I keep my history.", "offer_accepted", CUSTOMER),
    ("Nehme das Angebot nur, wenn die Pause drei Monate dauert.", "offer_accepted", CUSTOMER),
    ("Replenishment in 2 weeks as long as the materials arrive.", "restock_eta", NOTE),
    ("Maybe I'll collect it at the shop, not sure yet.", "store_pickup", CUSTOMER),
    # a plan is not a thing done
    ("AP will phone the supplier on the number on file tomorrow.", "bank_verified", VERIFICATION),
    # the wrong channel, or the vendor's own word
    ("Called the number printed on the change request, they confirmed the IBAN.", "bank_verified", VERIFICATION),
    ("Our new account details have been verified by our bank. Kind regards, Finance", "bank_verified", VENDOR),
    ("Vendor assures us the new details are verified.", "bank_verified", VERIFICATION),
    # questions about a rule
    ("Can sale items be swapped for another size?", "exchange_intent", CUSTOMER),
    ("Is pickup possible at your Bath branch?", "store_pickup", CUSTOMER),
    # what was not chosen
    ("She chose the free month instead of cancelling.", "cancel_intent", NOTE),
    ("Prefiero un vale antes que un reembolso.", "refund_request", CUSTOMER),
    # an ambiguous date, a quoted header's date, a footer
    ("ETA 03/04 from the supplier sheet.", "restock_eta", NOTE),
    ("Still waiting on the factory.  > Sent: Monday, November 23, 2026 / > Subject: backorder", "restock_eta", NOTE),
    ("Where is my parcel?  -- Free store pickup at all our shops!", "store_pickup", CUSTOMER),
    ("Thanks for refunding my last order, all good now.", "refund_request", CUSTOMER),
]


@pytest.mark.parametrize(("text", "kind", "source"), NOT_POSITIVE)
def test_what_is_not_stated_by_the_right_holder_about_this_record_is_never_a_positive_fact(
    text: str, kind: str, source: Source
) -> None:
    fact = reading(text, kind, source).get(kind)
    assert fact is None or fact.polarity != "affirmed"


# (text, kind, source, value): each must be read with its value
STATED = [
    ("Mrs Obi is happy to pay the extra twenty-two dollars for the oak top.", "upcharge_agreed", NOTE, 22.0),
    ("Le prix passe de 30 à 36 € ; la cliente est d'accord.", "upcharge_agreed", NOTE, 6.0),
    ("Die fünfzehn Euro mehr für die Gravur sind okay.", "upcharge_agreed", CUSTOMER, 15.0),
    ("Supplier ETA: restock in three weeks.", "restock_eta", NOTE, 21.0),
    ("Reposición prevista para el 4 de diciembre.", "restock_eta", NOTE, 9.0),
    ("Delivery moved from Dec 3 to Dec 10, per the vendor.", "restock_eta", NOTE, 15.0),
    ("Restock on the 2nd of next month, confirmed by the mill.", "restock_eta", NOTE, 7.0),
    ("ETA 12/04 (MM/DD, US supplier).", "restock_eta", NOTE, 9.0),
    (
        "Rang the vendor back on the number in our vendor master, details match.",
        "bank_verified",
        VERIFICATION,
        "call_back",
    ),
    ("Confirmed by e-mail to the AP address on file, not the sender.", "bank_verified", VERIFICATION, "email"),
    ("Could I change these for a size 9?", "exchange_intent", CUSTOMER, True),
    ("I'll pop into your Kings Road shop tomorrow and collect it.", "store_pickup", CUSTOMER, True),
    ("Please cancle my membersip, thanks.", "cancel_intent", CUSTOMER, True),
    ("Can you put the £14 back on my card? It arrived late.", "refund_request", CUSTOMER, True),
    ("Still no refund for the jacket I sent back.", "refund_request", CUSTOMER, True),
    ("The teapot lid came snapped in two.", "damage_reported", CUSTOMER, True),
    (
        "Okay, I'll stay if I get the 3 months at half price. Actually, yes, I'll take it.",
        "offer_accepted",
        CUSTOMER,
        True,
    ),
]


@pytest.mark.parametrize(("text", "kind", "source", "value"), STATED)
def test_a_plain_statement_is_read_with_its_value(text: str, kind: str, source: Source, value: object) -> None:
    fact = reading(text, kind, source).get(kind)
    assert fact is not None
    assert fact.polarity == "affirmed"
    assert fact.value == value


def test_a_fact_keeps_the_words_that_took_it_back() -> None:
    fact = reading("Customer accepted the pause offer, then emailed to withdraw it.", "offer_accepted").get(
        "offer_accepted"
    )
    assert fact is not None
    assert fact.polarity == "negated"
    assert "withdraw" in fact.evidence.words


def test_a_text_is_split_once_into_statements_with_its_frame_recognised() -> None:
    text = (
        "Hi Lea, the planters ship on Friday. Best, Ola  -----Original Message----- / From: Lea / "
        "Sent: Monday, November 2, 2026 / Subject: planters"
    )
    regions = [(s.region, s.text) for s in analyse(text)]
    assert regions[0] == ("body", "Hi Lea, the planters ship on Friday.")
    assert ("signature", "Best, Ola") in regions
    assert all(region in ("header", "quoted") for region, _ in regions[2:])
    statements = analyse("Cust said yes to the wrap, then changed her mind.")
    assert [s.reverses for s in statements] == [False, True]
    asked = analyse("Is it possible to swap sale items?")[0]
    assert asked.mood == "possibility"


def test_a_synonym_added_to_a_data_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "lexicon"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = "please axe my membership"
    before = OfflineReader(semantic=False, lexicon=load(folder))
    assert read([(CUSTOMER, text)], ["cancel_intent"], before).get("cancel_intent") is None
    data = (folder / "en.toml").read_text(encoding="utf-8")
    marker = '[kinds.cancel_intent]\ncues = ["cancel*",'
    assert marker in data
    (folder / "en.toml").write_text(
        data.replace(marker, '[kinds.cancel_intent]\ncues = ["axe {my|the} _", "cancel*",'), encoding="utf-8"
    )
    after = OfflineReader(semantic=False, lexicon=load(folder))
    fact = read([(CUSTOMER, text)], ["cancel_intent"], after).get("cancel_intent")
    assert fact is not None
    assert fact.polarity == "affirmed"


def test_words_around_figures_are_data_too(tmp_path: Path) -> None:
    """The figures' words (what marks a time gone by, the article before a bare day, a currency said in words) live
    in the ``[figures]`` tables per language: a synonym added there is read, and nothing in code names it."""
    folder = tmp_path / "lexicon"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    today = date(2026, 11, 25)
    gone, by_day, money = "restock was due 10 days previously", "Lieferung bis zum 28.", "paid 20 loonies more"
    before = load(folder)
    assert days_until(gone, today, before) == 10.0
    assert days_until(by_day, today, before) is None
    assert amounts(money, before) == []
    for name, key, word in (("en", "past_after", "previously"), ("de", "day_before", "zum"),
                            ("en", "currency_words", "loonies")):  # fmt: skip
        data = (folder / f"{name}.toml").read_text(encoding="utf-8")
        marker = f"\n{key} = ["
        assert data.count(marker) == 1, (name, key)
        (folder / f"{name}.toml").write_text(data.replace(marker, f'{marker}"{word}", '), encoding="utf-8")
    after = load(folder)
    assert days_until(gone, today, after) is None  # a time gone by is no restock date
    assert days_until(by_day, today, after) == 3.0
    assert amounts(money, after) == [20.0]


def test_an_outside_set_is_scored_by_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ("support", "en", "customer_message", "please refund my order", "refund_request=affirmed"),
        ("support", "en", "customer_message", "my brother wants a refund, I don't", "refund_request=negated"),
        ("support", "de", "crm_note", "Lieferant: Nachschub in zwei Wochen", "restock_eta=affirmed:14"),
    ]
    path = tmp_path / "outside.tsv"
    path.write_text("".join("\t".join([*row, "holdout"]) + "\n" for row in rows), encoding="utf-8")
    assert main(["eval", "reading", "--file", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overall"]["snippets"] == 3
    assert result["overall"]["precision"] == 1.0
    assert result["overall"]["recall"] == 1.0
    assert result["overall"]["not_affirmed_read_positive"] == 0


def _answer(kind: str, **fields: object) -> object:
    from langchain_core.messages import AIMessage

    return AIMessage(
        content="", tool_calls=[{"name": "ReadFacts", "args": {kind: fields}, "id": "c1", "type": "tool_call"}]
    )


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        # the model's own analysis takes a "yes" back: someone else, another record, a plan, a question
        ("My brother agreed to the $9 upgrade.", {"holder": "third_party"}, None),
        ("She agreed to the $9 upgrade on her last order.", {"reference": "other"}, None),
        ("Agreed to the $9 upgrade, then withdrew it.", {"time": "superseded"}, False),
        ("Agreed to the $9 upgrade?", {"mood": "question"}, None),
        # the rules take it back where the model missed it: a later sentence withdraws it
        ("Customer agreed to the $9 upgrade. Update: she withdrew it by e-mail.", {}, False),
        # a plain statement the model was unsure of stands when no word hedges it
        ("Customer agreed to the $9 upgrade.", {"answer": "maybe"}, True),
    ],
)
def test_the_llm_readers_statement_analysis_is_checked_by_the_same_rules(
    text: str, fields: dict[str, object], expected: bool | None
) -> None:
    from ai_missions.nodes.reading.llm import LLMReader
    from ai_missions.testing import scripted

    answer = {"answer": "yes", "words": "agreed to the $9 upgrade", **fields}
    model = scripted([_answer("upcharge_agreed", **answer)])
    result = read([(NOTE, text)], ["upcharge_agreed"], LLMReader(model), today=TODAY)
    assert result.affirmed("upcharge_agreed") is expected
