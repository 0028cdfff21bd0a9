"""The invoice mission's tool policy: what each write tool is to this mission, in one place.

Phases give the order to act in, whoever proposed the actions: a hold first (nothing pays while the case is
open), then the decision on the money (a rejection, the budget commitment, then the payment), then the requests
to the vendor, the buyer and treasury, and the internal note last, once what it records is true. Only the note
may run without a reviewer. ``ids`` ties each identifier argument to the facts naming this invoice's records.
"""

from __future__ import annotations

from ai_missions.mission_api import ToolPolicy, ToolRule, contract

HOLD, DECIDE, COMMIT, PAY, ASK, NOTE = range(6)

_INVOICE = {"invoice_id": ("invoice.id",)}
_REASON = frozenset({"reason"})
_MESSAGE = frozenset({"message"})


def _rule(system: str, tool: str, phase: int, **options: object) -> ToolRule:
    return ToolRule(contract(system).tool(tool), phase, **options)  # type: ignore[arg-type]


TOOLS = ToolPolicy(
    [
        _rule("ap", "place_invoice_hold", HOLD, ids=_INVOICE, free_text=_REASON),
        _rule("ap", "reject_invoice", DECIDE, ids=_INVOICE, free_text=_REASON),
        _rule(
            "budget",
            "commit_budget",
            COMMIT,
            advancing=True,
            ids={**_INVOICE, "cost_centre": ("invoice.cost_centre",)},
        ),
        _rule("ap", "post_payment", PAY, advancing=True, ids=_INVOICE),
        _rule(
            "ap",
            "request_bank_verification",
            ASK,
            ids={**_INVOICE, "vendor_id": ("vendor.id",), "account_id": ("vendor.bank_account_id",)},
        ),
        _rule("ap", "request_vendor_confirmation", ASK, ids=_INVOICE, free_text=_MESSAGE),
        _rule(
            "purchasing", "request_buyer_review", ASK, ids={**_INVOICE, "po_id": ("invoice.po_id",)}, free_text=_MESSAGE
        ),
        _rule(
            "ap",
            "add_invoice_note",
            NOTE,
            automatable=True,
            ids=_INVOICE,
            free_text=frozenset({"body", "author"}),
            note_text="body",
        ),
    ]
)
