"""Action tiers: how far the business lets a mission act alone, per action type, and how that changes over time.

Every write tool of a mission has a tier, set in the mission's policy (``MissionSpec.tiers``) and changed only by
an audited promotion or demotion:

- ``observe``: the action is recorded as what the mission would have done; nothing is queued or executed;
- ``recommend``: the action waits in the Decision Queue for a reviewer;
- ``automate``: the action runs without a reviewer, recorded, with a documented rollback (only tools that have
  one, and that the mission's tool policy lets run alone);
- ``escalate``: the action waits in the Decision Queue for a reviewer of an escalation role.

At run time an action moves *up* (towards a person) when the verdict's confidence is below the floor, when the
plan holds actions that conflict, or when the money it moves is above the limits; it never moves down. A whole
mission can run in observe mode (it proposes; nothing is queued or executed) until it is promoted to live.
Promotions need the mission's latest eval run to meet the thresholds; promotions, demotions and rollbacks are
written to the audit chain with who did them (the signed-in account and its role of record). The tiers in force are a
row of record (:mod:`ai_missions.kernel.records`): signed at a version the chain records, so a tier set to ``automate``
with SQL, an older table put back (from before a demotion), or the row deleted, is refused by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ai_missions.kernel import records
from ai_missions.kernel.errors import ForbiddenError, ValidationError
from ai_missions.kernel.records import META, TIERS_PREFIX, UnsignedRowError
from ai_missions.kernel.store import RunStore, audit_entry, chain, utc_now

if TYPE_CHECKING:  # a spec holds its tier policy: the type only, so that the two modules do not import each other
    from ai_missions.kernel.missions import MissionSpec

Tier = Literal["observe", "recommend", "automate", "escalate"]
TIERS: tuple[str, ...] = ("observe", "recommend", "automate", "escalate")
#: The promotion ladder (escalate is a detour set by policy, not a rung).
LADDER: tuple[str, ...] = ("observe", "recommend", "automate")
MODES: tuple[str, ...] = ("observe", "live")


@dataclass(frozen=True, slots=True)
class Rollback:
    """How to undo an automated action: a write tool, and its arguments taken from the action's own arguments
    (``args.NAME``) or from what the system answered (``result.NAME``)."""

    tool: str
    args: Mapping[str, str]
    #: One line for the run page and the CLI: what undoing does.
    doc: str = ""

    def arguments(self, args: Mapping[str, Any], result: Mapping[str, Any] | None) -> dict[str, Any]:
        sources = {"args": dict(args), "result": dict(result or {})}
        filled: dict[str, Any] = {}
        for name, path in self.args.items():
            where, _, key = path.partition(".")
            value = sources.get(where, {}).get(key)
            if value is None:
                raise ValidationError(f"cannot undo: {path} is not known for the action")
            filled[name] = value
        return filled


@dataclass(frozen=True, slots=True)
class TierPolicy:
    """A mission's action tiers as its policy sets them."""

    #: Write tool -> its tier (a tool not named is ``recommend``).
    defaults: Mapping[str, str]
    #: Tools that may be automated, each with its rollback.
    rollbacks: Mapping[str, Rollback] = field(default_factory=dict)
    #: Below this verdict confidence an automated action is recommended instead.
    confidence_floor: float = 0.8
    #: Money an automated action may move; above, it is recommended.
    automate_limit: float = 100.0
    #: Money above which any action is escalated.
    escalate_limit: float = 1000.0
    #: Pairs of tools that contradict each other in one plan: both are escalated.
    conflicts: tuple[tuple[str, str], ...] = ()
    #: Roles that may approve an escalated action.
    escalation_roles: tuple[str, ...] = ("controller",)
    #: Roles that may promote or demote tiers, switch the mode, and roll back automated actions.
    owner_roles: tuple[str, ...] = ("controller",)
    #: The mode a mission starts in until someone promotes it.
    initial_mode: str = "live"

    def __post_init__(self) -> None:
        for tool, tier in self.defaults.items():
            if tier not in TIERS:
                raise ValueError(f"{tool}: {tier!r} is not a tier ({', '.join(TIERS)})")
            if tier == "automate" and tool not in self.rollbacks:
                raise ValueError(f"{tool} is automated but has no documented rollback")


@dataclass(frozen=True, slots=True)
class TierTable:
    """The tiers in force for a mission: its mode and each tool's tier."""

    mode: str
    tiers: Mapping[str, str]

    def tier_of(self, tool: str) -> str:
        return self.tiers.get(tool, "recommend")


def _key(mission: str) -> str:
    return f"{TIERS_PREFIX}{mission}"


def current(mission: str, policy: TierPolicy, store: RunStore | None) -> TierTable:
    """The tiers in force: the policy's, as promoted or demoted since (recorded in the run store)."""
    recorded = _recorded(mission, store) if store is not None else None
    if recorded is None:
        return TierTable(mode=policy.initial_mode, tiers=dict(policy.defaults))
    return TierTable(mode=recorded["mode"], tiers={**policy.defaults, **recorded["tiers"]})


def history(mission: str, store: RunStore) -> list[dict[str, Any]]:
    recorded = _recorded(mission, store)
    return list(recorded["history"]) if recorded else []


def _recorded(mission: str, store: RunStore) -> dict[str, Any] | None:
    """The tiers recorded for ``mission`` (None: never changed); UnsignedRowError naming the row when it was written,
    put back or deleted behind the platform's back."""
    key, db = _key(mission), store.read()
    text = store.get_meta(key)
    if text is None:
        recorded = records.latest(db, store.audit, META, key).get(key)
        if recorded is not None and recorded.signature is not None:
            raise UnsignedRowError(
                f"the meta row {key!r}",
                why=f"deleted: audit entry {recorded.n} recorded it (version {recorded.version})",
            )
        return None
    if _unsigned_table(text) is not None:
        raise records.unversioned(db, store.audit, META, key, f"the meta row {key!r}")
    value, _ = records.meta_value(db, store.audit, key, text)
    return dict(value)


def _unsigned_table(text: str) -> dict[str, Any] | None:
    """A tier table as versions before rows of record kept it (plain JSON), or None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "mode" in value and "signature" not in value else None


def anchor_unversioned(store: RunStore, db: Any, *, by: str) -> list[str]:
    """Put the tier tables of a store from before rows of record on the chain, once, as they are (inside the
    transaction of ``missions audit key``). Returns the rows anchored."""
    anchored = []
    for key, text in db.execute("SELECT key, value FROM meta WHERE key LIKE ?", (f"{TIERS_PREFIX}%",)).fetchall():
        if (value := _unsigned_table(str(text))) is not None:
            records.put_meta(db, store.audit, str(key), value, by=by, why="anchored")
            anchored.append(f"the meta row {key!r}")
    return anchored


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one action lands, and why it moved (empty: its tier as set)."""

    tier: str
    reasons: tuple[str, ...] = ()


def place(
    policy: TierPolicy,
    table: TierTable,
    tool: str,
    *,
    amount: float | None,
    confidence: float,
    plan_tools: Sequence[str],
    automatable: bool,
) -> Placement:
    """The tier one action runs at: its tier in force, moved up by low confidence, conflicts and exposure."""
    if table.mode == "observe":
        return Placement("observe", ("the mission runs in observe mode",))
    tier = table.tier_of(tool)
    if tier == "observe":
        return Placement("observe")
    reasons: list[str] = []

    def move(to: str, why: str) -> None:
        nonlocal tier
        tier = to
        reasons.append(why)

    if tier == "automate" and not (automatable and tool in policy.rollbacks):
        move("recommend", "no documented rollback")
    if tier == "automate" and confidence < policy.confidence_floor:
        move("recommend", f"confidence {confidence:.0%} below {policy.confidence_floor:.0%}")
    if amount is not None and tier == "automate" and amount > policy.automate_limit:
        move("recommend", f"{amount:,.2f} above the automation limit {policy.automate_limit:,.2f}")
    if amount is not None and amount > policy.escalate_limit and tier != "escalate":
        move("escalate", f"{amount:,.2f} above the escalation limit {policy.escalate_limit:,.2f}")
    for pair in policy.conflicts:
        if tool in pair and all(t in plan_tools for t in pair) and tier != "escalate":
            move("escalate", f"conflicts with {next(t for t in pair if t != tool)} in the plan")
    return Placement(tier, tuple(reasons))


def _record(store: RunStore, mission: str, table: TierTable, entry: dict[str, Any]) -> None:
    """Write the new table and its history, and the change to the audit chain, in one transaction."""
    entries = [*history(mission, store), entry]
    value = {"mode": table.mode, "tiers": dict(table.tiers), "history": entries}
    with store.transaction() as db:
        summary = f"{entry['change']} {entry['what']}: {entry['before']} -> {entry['after']}"
        chain(db, [audit_entry(None, {"kind": "tier_change", "actor": entry["by"], "summary": summary, "data": entry})])
        records.put_meta(db, store.audit, _key(mission), value, by=str(entry["by"]), why=summary)


def change(
    mission: str,
    policy: TierPolicy,
    store: RunStore,
    *,
    direction: Literal["promote", "demote"],
    tool: str | None,
    by: str,
    role: str | None,
    evidence: Mapping[str, Any] | None = None,
    gaps: Sequence[str] = (),
) -> dict[str, Any]:
    """Promote or demote one tool a rung (or the mission's mode when ``tool`` is None); audited.

    ``gaps`` are the eval thresholds the mission's latest eval run misses: a promotion is refused while any
    remain (a demotion never is)."""
    if role not in policy.owner_roles:
        raise ForbiddenError(f"{by} ({role}) may not change {mission}'s tiers; it takes one of: "
                             f"{', '.join(policy.owner_roles)}")  # fmt: skip
    if direction == "promote" and gaps:
        raise ValidationError(
            f"{mission} may not be promoted: its eval metrics miss the thresholds ({'; '.join(gaps)})"
        )
    table = current(mission, policy, store)
    if tool is None:
        before = table.mode
        after = "live" if direction == "promote" else "observe"
        new = TierTable(mode=after, tiers=table.tiers)
        what = "mode"
    else:
        if tool not in policy.defaults:
            raise ValidationError(f"{tool!r} is not an action of {mission} (known: {', '.join(policy.defaults)})")
        before = table.tier_of(tool)
        rung = LADDER.index(before) if before in LADDER else LADDER.index("recommend")
        after = LADDER[min(rung + 1, len(LADDER) - 1)] if direction == "promote" else LADDER[max(rung - 1, 0)]
        if after == "automate" and tool not in policy.rollbacks:
            raise ValidationError(f"{tool} has no documented rollback: it cannot be automated")
        new = TierTable(mode=table.mode, tiers={**table.tiers, tool: after})
        what = tool
    entry = {
        "at": utc_now(),
        "change": direction,
        "what": what,
        "before": before,
        "after": after,
        "by": f"{by} ({role})",
        "evidence": dict(evidence or {}),
        "changed": before != after,
    }
    if before != after:
        _record(store, mission, new, entry)
    return entry


def tier_view(spec: MissionSpec, store: RunStore) -> dict[str, Any]:
    """The mission's mode, each action's tier in force with its policy and rollback, the limits, and the history:
    what `missions tiers show` prints and a mission page shows."""
    assert spec.tiers is not None
    table = current(spec.name, spec.tiers, store)
    return {
        "mission": spec.name,
        "mode": table.mode,
        "tiers": {
            tool: {
                "tier": table.tier_of(tool),
                "policy": spec.tiers.defaults.get(tool, "recommend"),
                "rollback": (r.tool or "nothing to undo") if (r := spec.tiers.rollbacks.get(tool)) else None,
            }
            for tool in spec.tools
        },
        "limits": {
            "confidence_floor": spec.tiers.confidence_floor,
            "automate_limit": spec.tiers.automate_limit,
            "escalate_limit": spec.tiers.escalate_limit,
        },
        "history": history(spec.name, store),
    }
