"""The customer's thread is read in one place, the parse (``graphs/support/parse``): ``request.py`` takes it from the
ticket and parses it into a :class:`SupportRequest`, and the parse's modules read its words, alone and against the
records. Gather, the facts, the split into parts and the reply work on the request's parts and on what the parse
resolved, never on the thread's text: statically (no function outside the parse takes the text or reads it off a
request) and at run time (no function outside the parse is handed it, over the benchmark's requests)."""

from __future__ import annotations

import ast
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail.runner import run_task
from ai_missions.graphs.support import split
from ai_missions.graphs.support.facts import derive_facts
from ai_missions.graphs.support.parse.request import SupportRequest, request_of
from ai_missions.graphs.support.parse.understanding import read_message
from tests.support.support_case import one_order_case

SUPPORT = Path(__file__).resolve().parents[1] / "graphs" / "support"
PARSE = SUPPORT / "parse"
#: The customer portal's page and service show a customer their own tickets and post their messages (they decide
#: nothing); every other module of the mission outside the parse works on the parsed request.
PORTAL = {"portal.py", "portal_service.py"}


def _outside_the_parse() -> list[Path]:
    return [p for p in SUPPORT.glob("*.py") if p.name not in PORTAL]


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
    modules = [*_outside_the_parse(), *(p for p in PARSE.glob("*.py") if p.name != "request.py")]
    assert len(modules) > 25
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
                    and n.value.id in ("request", "asked", "returning", "exchanging")
                    for n in ast.walk(child)
                )
                if takes or reads:
                    found.add(f"{module}.{prefix}{child.name}")
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(source), "")
    return found


def test_no_function_outside_the_parse_takes_the_threads_text() -> None:
    outside = set().union(*(_raw_readers(p.read_text(encoding="utf-8"), p.stem) for p in _outside_the_parse()))
    assert sorted(outside) == []  # read a part of the request, or ask the parse (parse/targets.py) what it says
    # the parse is where it is read: the thread's readers were 99 across the mission before it, 77 outside it after
    # the first parts; they are all in the parse now
    inside = set().union(*(_raw_readers(p.read_text(encoding="utf-8"), p.stem) for p in PARSE.glob("*.py")))
    assert {
        "targets.modify_facts",
        "targets.opening_facts",
        "resolve.lines_named",
        "understanding.items_text",
    } <= inside


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
def of_the_exchange(exchanging):
    return exchanging.text.split()
"""
    assert _raw_readers(planted, "m") == {"m.asks_twice", "m.of_the_request", "m.Reader.read", "m.of_the_exchange"}


#: A sentence end (as the parse splits them): a thread of one sentence is its own part, so only longer ones count.
_SENTENCE = re.compile(r"[.!?]+(?=\s|$)|\n+")


def _handed_the_thread(run: Callable[[], Any]) -> dict[str, str]:
    """Run ``run`` and return each function of the support mission outside the parse that was handed the thread (the
    text read, every message joined, or one message of more than one sentence) as an argument: ``module.function``
    -> the parameter. The threads are those :func:`request_of` parses while it runs.

    A trace function, not a profile function: it is called once as each Python function starts (and told nothing
    more, as it returns no local tracer), where a profile function is also called at every return and at every call
    of a C function; same calls seen, same arguments read, ~20% less CPU for the test."""
    threads: set[str] = set()
    handed: dict[str, str] = {}
    support, parse = f"{SUPPORT}/", f"{PARSE}/"
    #: What each code object seen is, worked out at its first call (not again at every call, ~1.5 s of CPU): the
    #: names of its arguments when it is a function of the mission outside the parse, None for the parse's
    #: ``request_of``, () for any other.
    of_code: dict[Any, tuple[str, ...] | None] = {}

    def arguments(code: Any) -> tuple[str, ...] | None:
        if not code.co_filename.startswith(support):
            return ()
        if code.co_filename.startswith(parse):
            return None if code.co_name == "request_of" else ()
        return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]

    def trace(frame: Any, event: str, _arg: Any) -> None:  # event is "call": the global tracer sees no other
        code = frame.f_code
        try:
            names = of_code[code]
        except KeyError:
            names = of_code[code] = arguments(code)
        if names is None:
            inbound = [m for m in frame.f_locals["ticket"].get("messages", []) if m.get("direction") == "inbound"]
            bodies = [str(m.get("body") or "") for m in inbound]
            said = [*bodies, "\n".join(bodies), request_of(frame.f_locals["ticket"]).text]
            threads.update(t for t in said if len([s for s in _SENTENCE.split(t) if s.strip()]) > 1)
        elif names:
            values = frame.f_locals  # built once a call: each read of f_locals builds it again
            for name in names:
                value = values.get(name)
                if isinstance(value, str) and value in threads:
                    handed[f"{Path(code.co_filename).stem}.{code.co_qualname}"] = name

    sys.settrace(trace)
    threading.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]
    return handed


BENCH = tau.DEFAULT_PATH


@pytest.mark.skipif(not (BENCH / "tasks_train.json").exists(), reason="tau-bench retail data absent")
def test_no_function_outside_the_parse_is_handed_the_thread() -> None:
    tasks, db = tau.load_tasks(BENCH), tau.load_database(BENCH)
    chosen = {**dict(list(tau.load_first_messages().items())[::8]),
              **dict(list(tau.load_first_messages(tau.UNSEEN_MESSAGES).items())[::8])}  # fmt: skip
    solved = []

    def run() -> None:
        # returns, exchanges, item changes, several orders, answers to the mission's questions
        solved.extend(run_task(db, tasks[index], message).solved for index, message in chosen.items())

    assert _handed_the_thread(run) == {}
    assert len(solved) == len(chosen) >= 30
    assert sum(solved) >= 20  # the requests were worked, not refused early
    # what the check looks for, planted: a function outside the parse handed the thread
    ticket = {"messages": [{"direction": "inbound", "body": "Cancel the kettle. It came late."}]}
    planted = _handed_the_thread(lambda: split._named_in(request_of(ticket).text, [], {}))
    assert planted == {"split._named_in": "sentence"}


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
