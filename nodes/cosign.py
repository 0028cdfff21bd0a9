"""The approval node's side of co-approval (:mod:`ai_missions.services.coapproval`): a resume that carries sign-offs is
accepted action by action only when every sign-off is genuine (signed by the platform for this decision and these
actions), they cover the plan without overlap, and each action is then judged with the role of record of the
reviewer who signed it. Anything else rejects every action: one role alone never executes another role's part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.kernel.decisions import DecisionAnswer, HumanResponse
from ai_missions.services.coapproval import REFUSED, combined


def cosigned(
    home: Any, value: Mapping[str, Any], answer: DecisionAnswer, roles_of: Mapping[str, str], count: int
) -> tuple[DecisionAnswer, list[str | None], list[str | None]]:
    """The answer with each action's response from its sign-off, and each action's signer and role of record."""
    merged = combined(home, value.get("signoffs") or [], answer["decision_id"], str(value.get("actions_hash")), count)
    if merged is None:
        refused = [HumanResponse(type="response", args=REFUSED) for _ in range(count)]
        return DecisionAnswer(**{**answer, "responses": refused}), [None] * count, [None] * count
    responses, signers = merged
    roles = [roles_of.get(s) for s in signers]
    typed = [HumanResponse(**r) for r in responses]  # type: ignore[typeddict-item]
    return DecisionAnswer(**{**answer, "responses": typed}), roles, list(signers)
