"""A customer's own write (a message through a mission's portal): the platform authorizes it and mints its grant,
never the mission.

The systems refuse every write without a grant for exactly its arguments (:mod:`ai_missions.kernel.grants`). A mission's
actions get theirs from the execute step once a reviewer approved them; a customer's message is their own action,
so no decision stands behind it. Here the authorization point answers for it instead
(:func:`ai_missions.services.authorization.own_write_answer`: a ``customer`` account of record, a tool the
mission declares its customers write, their own customer id, and every record the write names theirs, as its system
of record says: :func:`record_owners`), and the grant is minted for that one write, bound
to its arguments and idempotency key, on behalf of the account and under the scope ``own-write:<account>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from ai_missions.kernel import grants
from ai_missions.kernel.errors import ForbiddenError, MissionsError, ValidationError
from ai_missions.kernel.missions import get_mission
from ai_missions.services import authorization
from ai_missions.services.authorization import Person
from ai_missions.services.governance import load_roster

#: The scope a customer's own write is granted under (where an approved action names its decision).
OWN_WRITE = "own-write"


class ToolCaller(Protocol):
    """What calls a mission's systems: :class:`ai_missions.client.MissionClient` (or a test's stand-in)."""

    def call_tool(
        self, tool: str, args: dict[str, Any], *, mission: str, meta: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...


def customer_of(account: str | None, role: str | None) -> str:
    """The customer id a signed-in account is bound to, as the authorization point binds it; ForbiddenError for
    any account that is not a customer's."""
    customer = authorization.customer_of(Person(account, role)) if account and role else None
    if customer is None:
        raise ForbiddenError("the portal is for customers: sign in with a customer account")
    return customer


def record_owners(client: ToolCaller, mission: str, args: Mapping[str, Any]) -> dict[str, str | None]:
    """Whose each record a customer's write names is (argument -> customer id), read from its system of record: the
    ``get_<record>`` read of ``<record>_id`` (``get_ticket``, ``get_order``); None for a record it does not hold, or
    with no such read (the authorization point then refuses: a record nobody can place is not theirs)."""
    owners: dict[str, str | None] = {}
    for name in authorization.record_arguments(args):
        try:
            found = client.call_tool(f"get_{name.removesuffix('_id')}", {name: args[name]}, mission=mission)
        except MissionsError:
            found = None
        owner = found.get("customer_id") if isinstance(found, Mapping) else None
        owners[name] = str(owner) if owner else None
    return owners


def write_as_customer(
    client: ToolCaller, home: Path, account: str, tool: str, args: Mapping[str, Any], *, mission: str
) -> dict[str, Any]:
    """Make ``tool(args)`` on ``mission``'s systems as the customer ``account`` (its role read from the accounts
    of record, not from the caller): ForbiddenError when the authorization point refuses, ValidationError without
    an idempotency key (a customer's retry must write once). Returns the system's answer."""
    key = args.get("idempotency_key")
    if not isinstance(key, str) or not key:
        raise ValidationError(f"a customer's {tool} needs an idempotency key (a retry must write once)")
    identity = Person(account, load_roster(home).get(account, ""))
    owners = record_owners(client, mission, args) if authorization.customer_of(identity) else {}
    said = authorization.own_write_answer(identity, get_mission(mission), tool, args, owners=owners)
    if not said:
        raise ForbiddenError(said.reason)
    grant = grants.mint(home, decision_id=f"{OWN_WRITE}:{account}", index=0, tool=tool, args=args, key=key, by=account)
    return client.call_tool(tool, dict(args), mission=mission, meta={grants.META_KEY: grant})
