"""Issue #38's first two unsafe classes, on messages written here and a small database written here (no benchmark
data): a return and an exchange asked of one order keep each item with its own request, and asked when that cannot
be told; a pending order's item change keeps within the price the customer sets, the difference on the method they
name, asked or left to a person otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.cases import case_of
from ai_missions.graphs.support.parse import item_requests
from ai_missions.graphs.support.parse.comparison import price_bound
from ai_missions.kernel.eval_plugin import plugin_of
from tests.support.tau_db import customer, decide, order, writes


def apart(message: str, lines: list[dict[str, Any]], options: dict[str, str]) -> item_requests.Apart:
    """The message's items apart, by the request pieces the parse reads of it."""
    return item_requests.apart(message, item_requests.request_pieces(message), lines, options)


ORDER = "#W7000001"


def _address() -> dict[str, str]:
    return {"address1": "8 Elm Row", "address2": "", "city": "Reno", "state": "NV", "zip": "89501", "country": "USA"}


def _variant(item_id: str, price: float, available: bool = True, **options: str) -> dict[str, Any]:
    return {"item_id": item_id, "price": price, "options": options, "available": available}


def _db(status: str, methods: tuple[str, ...] = ("card", "paypal", "gift")) -> dict[str, tau.Database]:
    """One customer with one order of a desk lamp, a kettle and a toaster, and the products' variants."""
    products = {
        "lamp": {"variants": {"L1": _variant("L1", 40.0, color="black"), "L2": _variant("L2", 45.0, color="white")}},
        "kettle": {
            "variants": {
                "K1": _variant("K1", 80.0, capacity="1.7L", color="silver"),
                "K2": _variant("K2", 60.0, capacity="1L", color="blue"),
                "K3": _variant("K3", 95.0, capacity="1.7L", color="blue"),
                "K4": _variant("K4", 75.0, capacity="1.7L", color="green"),
            }
        },
        "toaster": {
            "variants": {
                "T1": _variant("T1", 70.0, slots="2 slices", color="red"),
                "T2": _variant("T2", 50.0, slots="2 slices", color="white"),
                "T3": _variant("T3", 90.0, slots="4 slices", color="blue"),
            }
        },
    }
    items = [
        {"name": "Desk Lamp", "product_id": "lamp", "item_id": "L1", "price": 40.0, "options": {"color": "black"}},
        {"name": "Electric Kettle", "product_id": "kettle", "item_id": "K1", "price": 80.0,
         "options": {"capacity": "1.7L", "color": "silver"}},
        {"name": "Toaster", "product_id": "toaster", "item_id": "T1", "price": 70.0,
         "options": {"slots": "2 slices", "color": "red"}},
    ]  # fmt: skip
    on_file = {
        "card": ("credit_card_7", {"source": "credit_card", "brand": "visa", "last_four": "4242"}),
        "paypal": ("paypal_7", {"source": "paypal"}),
        "gift": ("gift_card_7", {"source": "gift_card", "balance": 300.0}),
    }
    methods = {on_file[m][0]: {"id": on_file[m][0], **on_file[m][1]} for m in methods}
    user = customer("Noa Park", _address(), [ORDER], methods)
    orders = {ORDER: order(ORDER, "u7", status, _address(), items, "credit_card_7")}
    return {"users": {"u7": user}, "products": products, "orders": orders}


def _decide(status: str, message: str, methods: tuple[str, ...] = ("card", "paypal", "gift")) -> dict[str, Any]:
    return decide(_db(status, methods), "u7", message)[1]


LINES = [
    {"line_no": 1, "sku": "L1", "description": "Desk Lamp"},
    {"line_no": 2, "sku": "K1", "description": "Electric Kettle"},
    {"line_no": 3, "sku": "T1", "description": "Toaster"},
]
OPTIONS = {"L1": "black", "K1": "1.7L silver", "T1": "2 slices red"}


# --- a return and an exchange of one order ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "returned", "exchanged"),
    [
        ("Send back the lamp, and swap the kettle and the toaster for the cheapest ones.", (1,), (2, 3)),
        (
            "The kettle and the toaster should be exchanged for blue ones. The desk lamp I'd like to return.",
            (1,),
            (2, 3),
        ),
        ("Could you take the lamp back? Also I'd like to trade the toaster for the white one.", (1,), (3,)),
        ("I'm returning the toaster; please replace the lamp with the white version.", (3,), (1,)),
        ("Return the kettle but exchange the lamp for white", (2,), (1,)),
    ],
)
def test_each_item_keeps_the_request_it_is_named_under(
    message: str, returned: tuple[int, ...], exchanged: tuple[int, ...]
) -> None:
    said = apart(message, LINES, OPTIONS)
    assert said.sure, message
    assert (said.returned, said.exchanged) == (returned, exchanged), message


def test_the_words_of_each_request_are_read_without_the_other() -> None:
    said = apart("Please return the lamp and exchange the kettle for the 1L blue one. Refund to my gift card.", LINES,
                 OPTIONS)  # fmt: skip
    assert "kettle" not in said.return_text
    assert "gift card" in said.return_text
    assert "lamp" not in said.exchange_text
    assert "1L blue" in said.exchange_text


@pytest.mark.parametrize(
    ("message", "lines", "options"),
    [
        # other languages, on a catalogue that names its items so
        ("Je voudrais retourner la lampe et échanger la bouilloire contre la bleue.",
         [{"line_no": 1, "sku": "a", "description": "Lampe"}, {"line_no": 2, "sku": "b", "description": "Bouilloire"}],
         {}),
        ("Quiero devolver la lámpara y cambiar por otro color el hervidor.",
         [{"line_no": 1, "sku": "a", "description": "Lámpara"}, {"line_no": 2, "sku": "b", "description": "Hervidor"}],
         {}),
        ("Die Lampe möchte ich zurückschicken. Den Wasserkocher bitte umtauschen.",
         [{"line_no": 1, "sku": "a", "description": "Lampe"},
          {"line_no": 2, "sku": "b", "description": "Wasserkocher"}], {}),
    ],
)  # fmt: skip
def test_other_languages_keep_each_item_with_its_request(
    message: str, lines: list[dict[str, Any]], options: dict[str, str]
) -> None:
    said = apart(message, lines, options)
    assert (said.returned, said.exchanged, said.sure) == ((1,), (2,), True), message


@pytest.mark.parametrize(
    "message",
    [
        "The lamp and the kettle: return one, exchange the other for blue.",  # which is which is not said
        "Return the lamp and I would like a blue kettle instead.",  # the kettle is said under the return's words
        "The lamp arrived fine, I want to return it and exchange the kettle and the lamp.",  # the lamp under both
    ],
)
def test_items_that_cannot_be_told_apart_are_unsure(message: str) -> None:
    assert not apart(message, LINES, OPTIONS).sure, message


def test_the_return_holds_only_its_items_and_the_exchange_is_read_from_its_own_words() -> None:
    verdict = _decide("delivered", "Hi! Please send back the lamp, and swap the kettle and the toaster for the "
                                   "cheapest ones.")  # fmt: skip
    written = writes(verdict)
    assert written["open_return"]["line_nos"] == [1]  # never the kettle and the toaster
    assert not {"exchange_order_items", "exchange_order_item"} & set(written)  # "the cheapest ones": asked


def test_a_return_and_a_resolved_exchange_go_to_their_own_items() -> None:
    message = "Please return the lamp and exchange the kettle for the 1L blue one."
    facts, verdict = decide(_db("delivered"), "u7", message)
    assert writes(verdict)["open_return"]["line_nos"] == [1]
    assert facts["modify.changes"] == [{"line_no": 2, "sku": "K2"}]  # asked first whether anything else (SUP-007)


@pytest.mark.parametrize(
    "message",
    [
        "The lamp and the kettle: return one, exchange the other for blue.",
        "Return the lamp and I would like a blue kettle instead.",
    ],
)
def test_a_return_and_an_exchange_not_told_apart_are_asked_and_nothing_is_written(message: str) -> None:
    verdict = _decide("delivered", message)
    assert verdict["outcome"] in ("ask_customer", "escalate"), message
    assert not writes(verdict), message


# --- a pending order's item change within the price and on the method said -----------------------------------------


@pytest.mark.parametrize(
    ("text", "relation", "limit"),
    [
        ("blue, at the same price or lower; PayPal for any difference if you need one", "at_most", 80.0),
        ("something cheaper please", "below", 80.0),
        ("in blue, but I don't want to pay more", "at_most", 80.0),
        ("no more than $90 for it", "at_most", 90.0),
        ("under 100 euros", "below", 100.0),
        ("en azul, al mismo precio o menos", "at_most", 80.0),
        ("en bleu, pas plus cher s'il vous plaît", "at_most", 80.0),
        ("in Blau, höchstens 90 Euro", "at_most", 90.0),
        ("the same price as mine", "same", 80.0),
    ],
)
def test_a_price_set_for_the_variant_is_read(text: str, relation: str, limit: float) -> None:
    assert price_bound(text, 80.0) == type(price_bound("cheaper", 1.0))(((relation, limit),)), text


@pytest.mark.parametrize("text", ["in blue please", "the one that takes up to 4 slices", "the cheapest one"])
def test_no_price_is_read_where_none_is_set(text: str) -> None:
    assert price_bound(text, 80.0) is None, text


@pytest.mark.parametrize(
    "message",
    [
        "Please change the kettle in my order to the blue one, at the same price or lower; PayPal for any difference "
        "if you need one.",
        "Could the kettle be blue instead? I don't want to pay more for it.",
        "Make the kettle the 1.7L blue one, no more than $90.",
    ],
)
def test_a_variant_outside_the_price_set_is_never_chosen(message: str) -> None:
    verdict = _decide("pending", message)
    changes = writes(verdict).get("modify_order_items", {}).get("changes", [])
    assert {"line_no": 2, "sku": "K3"} not in changes, message  # the 1.7L blue kettle costs 95
    assert verdict["outcome"] in ("ask_customer", "escalate"), message


def test_within_the_price_the_variant_said_is_made_and_the_difference_goes_where_they_said() -> None:
    verdict = _decide("pending", "Change the kettle to the green one, same price or lower, PayPal for any difference.")
    written = writes(verdict)
    assert written["modify_order_items"]["changes"] == [{"line_no": 2, "sku": "K4"}]
    assert written["refund_payment"]["payment_method_id"] == "paypal_7"


def test_a_method_named_that_is_not_on_file_is_never_replaced_by_another() -> None:
    verdict = _decide("pending", "Please change the kettle to the 1.7L blue one, PayPal for the difference.",
                      methods=("card", "gift"))  # fmt: skip
    written = writes(verdict)
    assert "charge_payment" not in written
    assert "modify_order_items" not in written
    assert verdict["outcome"] in ("ask_customer", "escalate")


def test_the_answer_to_which_is_which_is_read_on_its_own() -> None:
    task = tau.Task(index=0, user_id="u7", instruction="", actions=(), outputs=())
    case = case_of(_db("delivered"), task, "The lamp and the kettle: return one, exchange the other for blue.")
    decide_case = plugin_of("support").decide
    _facts, asked = decide_case(case)
    question = next(a["args"]["body"] for a in asked["actions"] if a["tool"] == "send_ticket_reply")
    assert "return, and which to exchange" in question
    case["ticket"]["messages"] += [
        {"direction": "outbound", "body": question, "sent_at": "2026-03-16T15:05:00Z"},
        {"direction": "inbound", "body": "Return the lamp, and exchange the kettle for the 1L blue one.",
         "sent_at": "2026-03-16T15:10:00Z"},
    ]  # fmt: skip
    facts, verdict = decide_case(case)
    assert writes(verdict)["open_return"]["line_nos"] == [1]
    assert facts["modify.changes"] == [{"line_no": 2, "sku": "K2"}]  # the 1L blue kettle (asked: anything else?)


@pytest.mark.parametrize(
    ("answer", "returned"),
    [
        ("Actually just send back the lamp and the kettle, no exchange.", [1, 2]),
        ("Return the kettle please.", [2]),
    ],
)
def test_an_answer_to_which_is_which_naming_only_returns_drops_the_exchange(answer: str, returned: list[int]) -> None:
    task = tau.Task(index=0, user_id="u7", instruction="", actions=(), outputs=())
    case = case_of(_db("delivered"), task, "The lamp and the kettle: return one, exchange the other for blue.")
    decide_case = plugin_of("support").decide
    _facts, asked = decide_case(case)
    question = next(a["args"]["body"] for a in asked["actions"] if a["tool"] == "send_ticket_reply")
    case["ticket"]["messages"] += [
        {"direction": "outbound", "body": question, "sent_at": "2026-03-16T15:05:00Z"},
        {"direction": "inbound", "body": answer, "sent_at": "2026-03-16T15:10:00Z"},
    ]
    facts, verdict = decide_case(case)
    assert facts["ticket.case_types"] == ["return_refund"]
    assert writes(verdict)["open_return"]["line_nos"] == returned
    assert "exchange_order_items" not in writes(verdict)
