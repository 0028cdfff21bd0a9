"""The customer's thread is taken from the ticket in one place (``graphs/support/request.py``): gather, the facts and
the split into parts work on the :class:`SupportRequest` built there, never on the ticket's messages."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.facts import derive_facts
from ai_missions.graphs.support.request import SupportRequest, request_of
from ai_missions.graphs.support.understanding import read_message
from tests.support.support_case import one_order_case

SUPPORT = Path(__file__).resolve().parents[1] / "graphs" / "support"
#: The one module that takes the thread; the customer portal's page and service show a customer their own tickets
#: and post their messages (they decide nothing).
TAKES_THE_THREAD = {"request.py", "portal.py", "portal_service.py"}


def _reads_messages(source: str) -> list[int]:
    """Lines that take a ticket's ``messages``: ``x["messages"]`` or ``x.get("messages", ...)``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            key = node.args[0] if node.args else None
        if isinstance(key, ast.Constant) and key.value == "messages":
            lines.append(node.lineno)
    return lines


def test_only_the_request_module_takes_the_tickets_messages() -> None:
    modules = [p for p in SUPPORT.glob("*.py") if p.name not in TAKES_THE_THREAD]
    assert len(modules) > 15
    found = {p.name: lines for p in modules if (lines := _reads_messages(p.read_text(encoding="utf-8")))}
    assert found == {}
    # what the scan looks for, planted
    assert _reads_messages('bodies = [m["body"] for m in ticket.get("messages", [])]') == [1]
    assert _reads_messages('last = ticket["messages"][-1]') == [1]


def _pending_case(message: str) -> dict[str, Any]:
    record = {
        "order": {"order_id": "SO-300002", "customer_id": "C-1", "status": "pending", "total": 54.0,
                  "lines": [{"line_no": 1, "sku": "K-1", "description": "Kettle", "quantity": 1,
                             "unit_price": 54.0, "line_total": 54.0}]},
        "payment": {"authorizations": [{"authorization_id": "AUTH-9", "status": "authorized", "card_last4": "4321"}],
                    "captures": [], "captured_amount": 0.0, "refunded_amount": 0.0},
        "shipments": [], "returns": [], "variants": [],
    }  # fmt: skip
    return one_order_case("read-once", "TKT-9", message, record)


def _gathered(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "helpdesk.get_ticket": case["ticket"],
        "identity": {"customer_id": "C-1", "how": "sender"},
        "crm.get_customer": case["customer"],
        "orders": case["orders"],
        "recent_orders": case["recent_orders"],
    }


def test_the_facts_are_taken_from_the_request_not_from_the_tickets_messages() -> None:
    asked = "Please cancel SO-300002, I ordered it by mistake."
    case = _pending_case(asked)
    facts = derive_facts(_gathered(case), request_of(case["ticket"]))
    assert facts["ticket.case_types"] == ["cancel_order"]
    assert facts["cancel.reason"] == "ordered by mistake"
    # the same ticket read from another request: what the request says decides, the ticket's words are not read again
    other = "Where is SO-300002?"
    request = SupportRequest(other, read_message(other), (other,), None, case["ticket"]["messages"][-1]["sent_at"])
    facts = derive_facts(_gathered(case), request)
    assert facts["ticket.case_types"] == ["where_is_order"]
    assert facts["cancel.reason"] is None


def test_a_later_answer_is_the_requests_latest_and_an_unreadable_message_is_left_out() -> None:
    ticket = one_order_case("t", "TKT-10", "cancel my kettle order please", _pending_case("x")["orders"]["SO-300002"])
    ticket = ticket["ticket"]
    ticket["messages"] += [
        {"direction": "outbound", "body": "Which order?", "sent_at": "2026-03-16T15:05:00Z"},
        {"direction": "inbound", "body": "\x00\x01" * 30, "sent_at": "2026-03-16T15:06:00Z"},
        {"direction": "inbound", "body": "it's SO-300002", "sent_at": "2026-03-16T15:07:00Z"},
    ]
    request = request_of(ticket)
    assert request.text == "cancel my kettle order please\nit's SO-300002"
    assert request.latest == "it's SO-300002"
    assert request.sent_at == "2026-03-16T15:07:00Z"
    assert len(request.messages) == 3
    assert "Which order?" not in request.messages
    assert request.reading.intents == ("cancel_order",)
    assert request.reading.order_refs == ("SO-300002",)
    part = request.of_part("cancel SO-300002", request.reading)
    assert part.part
    assert part.latest is None
    assert part.said == "cancel SO-300002"


#: Parameter names that hold the thread's text, and the request's attributes that hand it out. A function reading a
#: part's words names them as what they are (``clause``, ``sentence``, ``piece``, a part of :class:`Parts`).
RAW_PARAMETERS = frozenset({"thread", "text", "whole", "said", "latest", "message"})
RAW_ATTRIBUTES = frozenset({"text", "said", "whole", "messages", "latest"})
_TEXT = ("str", "str | None")


def _raw_readers(source: str, module: str) -> set[str]:
    """``module.function`` (``module.Class.method``) for each function that takes text by a raw parameter name
    (annotated as a string) or reads the raw text off a ``request``."""
    found: set[str] = set()

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = [*child.args.posonlyargs, *child.args.args, *child.args.kwonlyargs]
                takes = any(
                    a.arg in RAW_PARAMETERS and a.annotation is not None and ast.unparse(a.annotation) in _TEXT
                    for a in arguments
                )
                reads = any(
                    isinstance(n, ast.Attribute)
                    and n.attr in RAW_ATTRIBUTES
                    and isinstance(n.value, ast.Name)
                    and n.value.id == "request"
                    for n in ast.walk(child)
                )
                if takes or reads:
                    found.add(f"{module}.{prefix}{child.name}")
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(source), "")
    return found


#: The functions of graphs/support that still read the thread's text (the parse, request.py, is where it is read;
#: the portal decides nothing). Before the parse (94bc33b) there were 99, now 77. This list may only shrink: a function
#: that reads the text anew fails below; one converted to the request's parts is taken off it.
STILL_READ_THE_TEXT = frozenset(
    {
        "address_reading._before",
        "address_reading._clean",
        "address_reading._places",
        "address_reading._read_all",
        "address_reading._read_one",
        "address_reading._state_code",
        "address_reading._title",
        "address_reading.address_asked",
        "address_reading.read_addresses",
        "address_reading.without_addresses",
        "comparison.preferred",
        "comparison.price_bound",
        "comparison.read_comparison",
        "conditions.branches",
        "facts._alternatives",
        "facts._as_many_as_said",
        "facts._count_answered",
        "facts._each_its_own",
        "facts._features_said",
        "facts._gift_card_for",
        "facts._left_out_option",
        "facts._merged_into_one",
        "facts._names_other_method",
        "facts._numbers_asked",
        "facts._option_tokens",
        "facts._options_of_items_not_named",
        "facts._other_card",
        "facts._refund_to",
        "facts._refused",
        "facts._said_of",
        "facts._unsaid_yes_no",
        "facts._which_of_several",
        "facts._without_features_said",
        "facts._yes_no_wanted",
        "facts._yes_no_written",
        "facts.derive_facts",
        "facts.items_asked_to_change",
        "facts.lines_said_to_change",
        "facts.modify_facts",
        "facts.opening_facts",
        "facts.without_option_phrases",
        "folding.fold",
        "item_requests.request_pieces",
        "methods.mentions",
        "resolve.Claims.of",
        "resolve._plain",
        "resolve._without_wanted",
        "resolve._words",
        "resolve.ambiguous_items",
        "resolve.described_by_options",
        "resolve.lines_named",
        "resolve.names_item",
        "resolve.only_as_sources",
        "resolve.order_called_by",
        "resolve.outnamed_lines",
        "resolve.partly_named",
        "resolve.quantity_said",
        "resolve.references",
        "resolve.said_of_lines",
        "resolve.source_references",
        "split._concerned",
        "split._difference_said",
        "split._how_many",
        "split._named_in",
        "split._pointed_back",
        "split._same_item",
        "understanding._binary",
        "understanding._lower",
        "understanding.asking_sentences",
        "understanding.asks_to_return",
        "understanding.blanked",
        "understanding.cancel_reason",
        "understanding.change_asked",
        "understanding.items_text",
        "understanding.plain_offsets",
        "understanding.wants_or_changes",
        "understanding.without_kept",
    }
)
#: How many read it before the request's parts were parsed once (94bc33b).
READERS_BEFORE_THE_PARSE = 99


def test_no_new_function_reads_the_threads_text_and_the_recorded_ones_only_shrink() -> None:
    skipped = {"request.py", *TAKES_THE_THREAD}
    found = set().union(
        *(_raw_readers(p.read_text(encoding="utf-8"), p.stem) for p in SUPPORT.glob("*.py") if p.name not in skipped)
    )
    assert sorted(found - STILL_READ_THE_TEXT) == []  # a new reader of the text: read a part of the request instead
    assert sorted(STILL_READ_THE_TEXT - found) == []  # converted: take it off the list
    assert len(found) < READERS_BEFORE_THE_PARSE
    # what is converted reads parts: resolution against the CRM, the split, which orders to read
    assert not {"resolve.recognised", "split.split_request", "facts.orders_to_read", "gather._addresses"} & found
    assert not {"gather.gathered_from", "gather.findings"} & found  # the guard's text, the count: the request's
    # the payment methods said are matched against those on file as mentions (kind, digits, wanted, for what)
    assert not {"methods.named", "methods.chosen", "facts.paymethod_facts", "facts._difference_method"} & found


def test_a_planted_reader_of_the_text_is_found() -> None:
    planted = """
def asks_twice(thread: str) -> bool: ...
def of_the_request(request):
    return request.said.count("?")
class Reader:
    def read(self, text: str | None) -> None: ...
def of_a_clause(clause: str, parts: Parts) -> bool: ...
def of_an_address(address: Address) -> str:
    return address.text
"""
    assert _raw_readers(planted, "m") == {"m.asks_twice", "m.of_the_request", "m.Reader.read"}


def test_the_parts_are_read_once_from_the_thread_and_a_part_is_parsed_from_its_own_words() -> None:
    ticket = {
        "messages": [
            {"direction": "inbound", "sent_at": "2026-03-16T15:00:00Z",
             "body": "Hi, I'm Ana Silva, ana.silva@example.com, zip 98101. If order #W2378156 is over $300, cancel it; "
                     "otherwise return the kettle. I ordered it by mistake."},
            {"direction": "outbound", "body": "Anything else?", "sent_at": "2026-03-16T15:01:00Z"},
            {"direction": "inbound", "sent_at": "2026-03-16T15:03:00Z",
             "body": "Can I change my camera to the 2K one? Ship it to the same address as order #W7701234."},
        ]
    }  # fmt: skip
    request = request_of(ticket)
    parts = request.parts
    assert parts is request.parts  # read once
    assert (parts.claims.emails, parts.claims.postal_codes) == (("ana.silva@example.com",), ("98101",))
    assert [r.text for r in parts.references if r.quoted] == ["#W2378156", "#W7701234"]
    assert len(parts.sentences) == 5
    assert "anything else" not in " ".join(parts.sentences).lower()  # the team's own message is not the customer's
    assert parts.asks_change
    assert parts.addresses.refers_to == "other_order"
    assert parts.reason == "ordered by mistake"
    assert (parts.sent, parts.refund_only) == (2, False)
    # the words each return or exchange is said of, read once; the latest message (an answer) has its own parts
    said_under = [(parts.items[b:e], kind) for b, e, kind in parts.pieces if "e" in parts.items[b:e]]
    assert said_under == [("; otherwise ", "return"), ("return the kettle", "return"),
                          ("change my camera to the 2K one", "exchange")]  # fmt: skip
    assert parts.answer is not None
    assert parts.answer.sentences[0] == "Can I change my camera to the 2K one"
    assert (parts.answer.answer, parts.answer.claims.emails) == (None, ())
    assert parts.branches is not None
    holds, otherwise = parts.branches
    assert (holds or "").endswith("cancel it; ")  # the request when it holds, and when it does not
    assert (otherwise or "").startswith(" return the kettle")
    # a part of it is parsed from its own words, not the thread's
    part = request.of_part("return the kettle", read_message("return the kettle"))
    assert part.parts.sentences == ("return the kettle",)
    assert part.parts.claims.emails == ()
    assert (part.parts.branches, part.parts.reason) == (None, None)
    # a refund as the remedy, a replacement only as not wanted; not when a replacement is wanted too
    for said, refund_only in [("It came cracked: I want my money back, no replacement.", True),
                              ("It came cracked: refund me or send a replacement.", False)]:  # fmt: skip
        assert request.of_part(said, read_message(said)).parts.refund_only is refund_only
