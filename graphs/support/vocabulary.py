"""The support mission's words: what a customer asks for (case types, here), what the verdict does, and the facts
(kept as data in ``vocabulary.toml``).

More in docs/support-parse.md (vocabulary.py)."""

from __future__ import annotations

from pathlib import Path

from ai_missions.mission_api import Vocabulary

#: What customers ask for (the intents the mission understands).
INTENTS: tuple[str, ...] = (
    "double_charge",
    "return_refund",
    "where_is_order",
    "not_received",
    "cancel_order",
    "change_address",
    "damaged_item",
    "wrong_item",
    "exchange_variant",
    "change_payment",
    "question",
)
#: Why a ticket cannot be worked on an order (yet).
CONDITIONS: tuple[str, ...] = (
    "identify_customer",
    "cancel_item",
    "conditional_request",
    "corrected_request",
    "condition_not_met",
    "unclear_request",
    "order_not_found",
    "order_not_owned",
    "which_order",
    "unreadable_message",
)
CASE_TYPES: tuple[str, ...] = INTENTS + CONDITIONS

VOCABULARY = Vocabulary.read(Path(__file__).with_name("vocabulary.toml"), case_types=CASE_TYPES)
TYPES_FACT = VOCABULARY.types_fact
OUTCOMES = VOCABULARY.outcomes
