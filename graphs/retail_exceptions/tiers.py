"""The retail business's action tiers (its rollout policy): what the mission may do alone and how to undo it.

Stock protection (a quarantine, a recount) and posting small returns run alone, each with a rollback; anything
that reaches a customer, moves their order or moves money to them is recommended for review; an action above the
escalation limit, or a cancellation in the same plan as a reallocation, is escalated to a retail manager.
Internal notes run alone; undoing one is nothing (it changes no stock, money or customer).
"""

from __future__ import annotations

from ai_missions.mission_api import Rollback, TierPolicy

TIERS = TierPolicy(
    defaults={
        "quarantine_stock": "automate",
        "create_recount_task": "automate",
        "post_return_adjustment": "automate",
        "add_order_note": "automate",
        "reallocate_order": "recommend",
        "cancel_omni_order": "recommend",
        "offer_substitution": "recommend",
        "issue_goodwill_credit": "recommend",
        "notify_customer": "recommend",
        "notify_merchandising": "recommend",
    },
    rollbacks={
        "quarantine_stock": Rollback(
            "release_quarantine", {"location_id": "args.location_id", "sku": "args.sku"}, "lift the quarantine"
        ),
        "create_recount_task": Rollback("cancel_recount_task", {"task_id": "result.record_id"}, "cancel the task"),
        "post_return_adjustment": Rollback(
            "reverse_return_adjustment", {"return_id": "args.return_id", "amount": "args.amount"}, "reverse the posting"
        ),
        "reallocate_order": Rollback(
            "reallocate_order",
            {"order_id": "args.order_id", "location_id": "result.previous_location_id"},
            "move the order back to where it was allocated",
        ),
        "add_order_note": Rollback("", {}, "an internal note: nothing outside the record changed"),
    },
    confidence_floor=0.75,
    automate_limit=100.0,
    escalate_limit=1000.0,
    conflicts=(("reallocate_order", "cancel_omni_order"),),
    escalation_roles=("retail_manager", "controller"),
    owner_roles=("retail_manager", "controller"),
)
