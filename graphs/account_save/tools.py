"""The account mission's tool policy: a new owner first (when the owner left), then the renewal escalation, then
the email to the customer, and the internal health note last (the only action that runs without anyone)."""

from __future__ import annotations

from functools import partial

from ai_missions.mission_api import ToolPolicy, tool_rule

REASSIGN, ESCALATE, EMAIL, NOTE = range(4)
_ACCOUNT = {"account_id": ("account.id",)}
_rule = partial(tool_rule, "accounts")  # every tool is the accounts system's


TOOLS = ToolPolicy(
    [
        _rule(
            "reassign_account_owner",
            REASSIGN,
            ids={**_ACCOUNT, "new_owner_id": ("account.owner_manager",)},
            free_text=frozenset({"reason"}),
        ),
        _rule(
            "escalate_renewal",
            ESCALATE,
            ids={**_ACCOUNT, "opportunity_id": ("renewal.opportunity_id",)},
            free_text=frozenset({"reason"}),
        ),
        _rule(
            "send_account_email",
            EMAIL,
            ids={**_ACCOUNT, "contact_id": ("account.contact_id",)},
            free_text=frozenset({"subject", "body"}),
        ),
        _rule(
            "add_health_note",
            NOTE,
            automatable=True,
            ids=_ACCOUNT,
            free_text=frozenset({"body", "author"}),
            note_text="body",
        ),
    ]
)
