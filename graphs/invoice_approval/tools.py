"""The invoice mission's tool policy: what each write tool is to this mission, in one place.

Phases give the order to act in, whoever proposed the actions: a hold first (nothing pays while the case is
open), then the decision on the money (a rejection, the budget commitment, then the payment), then the requests
to the vendor, the buyer and treasury, and the internal note last, once what it records is true. Only the note
may run without a reviewer. ``ids`` ties each identifier argument to the facts naming this invoice's records.
"""

from __future__ import annotations

from ai_missions.mission_api import ToolPolicy, tool_rule

HOLD, DECIDE, COMMIT, PAY, ASK, NOTE = range(6)

_INVOICE = {"invoice_id": ("invoice.id",)}
_REASON = frozenset({"reason"})
_MESSAGE = frozenset({"message"})


TOOLS = ToolPolicy(
    [
        tool_rule("ap", "place_invoice_hold", HOLD, ids=_INVOICE, free_text=_REASON),
        tool_rule("ap", "reject_invoice", DECIDE, ids=_INVOICE, free_text=_REASON),
        tool_rule(
            "budget",
            "commit_budget",
            COMMIT,
            advancing=True,
            ids={**_INVOICE, "cost_centre": ("invoice.cost_centre",)},
        ),
        tool_rule("ap", "post_payment", PAY, advancing=True, ids=_INVOICE),
        tool_rule(
            "ap",
            "request_bank_verification",
            ASK,
            ids={**_INVOICE, "vendor_id": ("vendor.id",), "account_id": ("vendor.bank_account_id",)},
        ),
        tool_rule("ap", "request_vendor_confirmation", ASK, ids=_INVOICE, free_text=_MESSAGE),
        tool_rule(
            "purchasing", "request_buyer_review", ASK, ids={**_INVOICE, "po_id": ("invoice.po_id",)}, free_text=_MESSAGE
        ),
        tool_rule(
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
