"""The retail mission's tool policy. Phases: stock first (quarantine, recount), then the allocation or the
cancellation, then money (return postings, goodwill), then the customer, then a substitution (only after the
customer was asked, and skipped when that notice is rejected), then merchandising, the note last.

``automatable`` marks the actions the business may let run without a reviewer under its action tiers
(:mod:`.tiers`): each has a documented rollback. Whether one actually runs alone is the tier table's call.
"""

from __future__ import annotations

from ai_missions.mission_api import ToolPolicy, tool_rule

STOCK, ALLOCATE, MONEY, CUSTOMER, SUBSTITUTE, MERCH, NOTE = range(7)

_ORDER = {"order_id": ("order.id",)}
_STOCK = {"location_id": ("order.location",), "sku": ("order.sku",)}


TOOLS = ToolPolicy(
    [
        tool_rule(
            "stores",
            "quarantine_stock",
            STOCK,
            automatable=True,
            ids=_STOCK,
            free_text=frozenset({"reason"}),
            moves_stock=True,
        ),
        tool_rule("stores", "create_recount_task", STOCK, automatable=True, ids=_STOCK),
        tool_rule(
            "oms",
            "reallocate_order",
            ALLOCATE,
            automatable=True,
            ids={**_ORDER, "location_id": ("alt.location",)},
            moves_stock=True,
        ),
        tool_rule("oms", "cancel_omni_order", ALLOCATE, ids=_ORDER, free_text=frozenset({"reason"})),
        tool_rule("oms", "post_return_adjustment", MONEY, automatable=True, ids={"return_id": ("return.id",)}),
        tool_rule("oms", "issue_goodwill_credit", MONEY, ids=_ORDER, free_text=frozenset({"reason"})),
        tool_rule("oms", "notify_customer", CUSTOMER, ids=_ORDER, free_text=frozenset({"message"})),
        tool_rule(
            "oms",
            "offer_substitution",
            SUBSTITUTE,
            ids={**_ORDER, "substitute_sku": ("sub.sku",), "location_id": ("sub.location",)},
            depends_on=frozenset({"notify_customer"}),
            advancing=True,
            moves_stock=True,
        ),
        tool_rule(
            "stores", "notify_merchandising", MERCH, ids={"promo_id": ("promo.id",)}, free_text=frozenset({"message"})
        ),
        tool_rule(
            "oms", "add_order_note", NOTE, automatable=True, ids=_ORDER, free_text=frozenset({"body"}), note_text="body"
        ),
    ]
)
