"""A customer's own write through a portal: the authorization point answers for it and the platform mints its grant
(``ai_missions.customer_writes``), bound to exactly that write; the mission never mints one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ai_missions.customer_writes import OWN_WRITE, write_as_customer
from ai_missions.kernel import grants
from ai_missions.kernel.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.authorization import Person, own_write_answer
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD

SUPPORT = get_mission("support")
CUSTOMER = Person("c-10195", "customer")
MESSAGE = {"customer_id": "C-10195", "channel": "portal", "subject": "About SO-1", "body": "Where is it?"}


#: Whose each record is, as its system of record says.
OWNERS = {"TKT-000001": "C-10195", "TKT-000002": "C-20000", "SO-1": "C-10195", "SO-2": "C-20000"}


class Recorder:
    """Stands in for the mission client: keeps each call and answers like the helpdesk."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str, dict[str, Any] | None]] = []

    def call_tool(
        self, tool: str, args: dict[str, Any], *, mission: str, meta: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        if tool.startswith("get_"):  # a read of the record a write names: whose it is
            (record,) = args.values()
            if record not in OWNERS:
                raise NotFoundError(f"{tool}: unknown {record}")
            return {"customer_id": OWNERS[record]}
        self.calls.append((tool, args, mission, meta))
        return {"ticket": {"ticket_id": "TKT-000001"}, "replayed": False}


def test_the_support_mission_declares_what_its_customers_write() -> None:
    assert SUPPORT.customer_tools == {"open_ticket", "add_customer_message"}
    assert not SUPPORT.customer_tools & set(SUPPORT.tools)  # none of them an action a reviewer decides


@pytest.mark.parametrize(
    ("who", "tool", "args", "allowed"),
    [
        (CUSTOMER, "open_ticket", MESSAGE, True),
        (CUSTOMER, "open_ticket", {**MESSAGE, "order_id": "SO-1"}, True),
        (CUSTOMER, "add_customer_message", {"ticket_id": "TKT-000001", "body": "it is SO-1"}, True),
        (CUSTOMER, "open_ticket", {**MESSAGE, "customer_id": "C-20000"}, False),  # as another customer
        (CUSTOMER, "open_ticket", {**MESSAGE, "order_id": "SO-2"}, False),  # about another customer's order
        (CUSTOMER, "add_customer_message", {"ticket_id": "TKT-000002", "body": "x"}, False),  # on another's ticket
        (CUSTOMER, "add_customer_message", {"ticket_id": "TKT-404", "body": "x"}, False),  # on an unknown one
        (CUSTOMER, "refund_payment", {"capture_id": "CAP-1", "amount": 10.0}, False),  # a mission's action
        (CUSTOMER, "send_ticket_reply", {"ticket_id": "TKT-000001", "body": "done"}, False),
        (Person("lee", "support_lead"), "open_ticket", MESSAGE, False),  # staff write no customer's message
    ],
)
def test_the_authorization_point_answers_for_a_customers_write(
    who: Person, tool: str, args: dict[str, Any], allowed: bool
) -> None:
    said = own_write_answer(who, SUPPORT, tool, args, owners={k: OWNERS.get(args[k]) for k in args})
    assert said.allowed is allowed
    assert said.reason


@pytest.mark.attack("59.9")
@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("add_customer_message", {"ticket_id": "TKT-000002", "body": "cancel my order"}),  # names no customer
        ("open_ticket", {**MESSAGE, "order_id": "SO-2"}),
        ("add_customer_message", {"ticket_id": "TKT-404", "body": "hello"}),
    ],
)
def test_a_customer_writes_on_no_record_of_another_customer_whatever_page_calls(
    home: Path, tool: str, args: dict[str, Any]
) -> None:
    """Issue 59, item 9: the authorization point let a customer write on another customer's ticket
    (``own_write_answer`` checked a ``customer_id`` that ``add_customer_message`` lacks; only the portal page
    checked). The platform's own write path, whatever page calls it, reads whose each named record is."""
    client = Recorder()
    with pytest.raises(ForbiddenError, match="is not one of customer C-10195's"):
        write_as_customer(client, home, "c-10195", tool, {**args, "idempotency_key": "k-1"}, mission="support")
    assert client.calls == []  # nothing written, no grant minted


@pytest.fixture
def home(tmp_path: Path) -> Path:
    accounts = Accounts(RunStore(runs_db(tmp_path)))
    accounts.add("c-10195", "customer", DEMO_PASSWORD, by="test")
    accounts.add("lee", "support_lead", DEMO_PASSWORD, by="test")
    return tmp_path


def test_the_platform_grants_exactly_the_customers_write(home: Path) -> None:
    client = Recorder()
    args = {**MESSAGE, "idempotency_key": "portal:C-10195:1"}
    write_as_customer(client, home, "c-10195", "open_ticket", args, mission="support")
    ((tool, sent, mission, meta),) = client.calls
    assert (tool, sent, mission) == ("open_ticket", args, "support")
    assert meta is not None
    payload = grants.check(home, meta[grants.META_KEY], "open_ticket", args)
    assert payload["by"] == "c-10195"
    assert payload["decision_id"] == f"{OWN_WRITE}:c-10195"
    with pytest.raises(ForbiddenError, match="does not cover these arguments"):  # bound to these arguments alone
        grants.check(home, meta[grants.META_KEY], "open_ticket", {**args, "body": "Refund me everything"})


def test_the_role_is_the_account_of_records_not_the_callers(home: Path) -> None:
    """``lee`` is staff: no caller can write a customer's message as them, whatever role a page claims."""
    client = Recorder()
    args = {**MESSAGE, "customer_id": "LEE", "idempotency_key": "portal:LEE:1"}
    with pytest.raises(ForbiddenError, match="not a customer"):
        write_as_customer(client, home, "lee", "open_ticket", args, mission="support")
    with pytest.raises(ForbiddenError, match="not a customer"):  # an account that is not of record
        write_as_customer(client, home, "c-99999", "open_ticket", args, mission="support")
    with pytest.raises(ValidationError, match="idempotency key"):
        write_as_customer(client, home, "c-10195", "open_ticket", MESSAGE, mission="support")
    assert client.calls == []
