"""Who may approve what: the reviewer roster and the approval policy's rules (roles and amount ceilings).

The same check runs in ``decide`` (below any UI) and again inside the graph when a decision resumes it.

The approval rules that apply are the rules *of record*, kept in the run store: seeded once from the indexed
policies, then changed only by an approved, audited policy change (:func:`adopt_rules`, by a role in
:data:`POLICY_ROLES`). Rebuilding the index from an edited policy file does not change them: the difference is
reported (:func:`rules_drift`) and ignored until adopted. The rules of record and their history are rows of record
(:mod:`ai_missions.kernel.records`): signed with the platform key at a version the audit chain records, so an edited row
is refused by name, an older one put back (the rules from before a controller tightened them) too, and a deleted one
too (the chain says rules were recorded), never re-seeded silently from a possibly edited policy.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ai_missions.kernel import records
from ai_missions.kernel.database import database_url
from ai_missions.kernel.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.grants import is_private
from ai_missions.kernel.missions import ToolPolicy, registry
from ai_missions.kernel.records import HISTORY_KEY, RULES_KEY, UnsignedRowError
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore, audit_entry, chain
from ai_missions.knowledge_index.clauses import ApprovalRule, evaluate
from ai_missions.services.identity import CUSTOMER_ROLE, Accounts

#: Roles that may adopt a change of the approval rules (an approved policy change).
POLICY_ROLES = ("controller",)
__all__ = ["HISTORY_KEY", "RULES_KEY"]  # the rows of record's names, kept with them

#: The platform's own demo reviewers; each mission adds its own (``MissionSpec.reviewers``).
PLATFORM_ROSTER: dict[str, str] = {
    "ana": "ops_agent",
    "omar": "ops_lead",
    "fiona": "finance",
    "cole": "customer_care",
    "chen": "controller",
}


def default_roster() -> dict[str, str]:
    """The roster used until ``$MISSIONS_HOME/reviewers.json`` (``{"name": "role", ...}``) or accounts say
    otherwise: the platform's reviewers plus those every registered mission brings."""

    roster = dict(PLATFORM_ROSTER)
    for spec in registry().values():
        for name, role in spec.reviewers.items():
            roster.setdefault(name, role)
    return roster


@functools.lru_cache(maxsize=8)
def _shared_store(path: str, url: str, pid: int) -> RunStore:
    """One store of the shared database per process (its connections are per thread), where a roster read opened a
    Postgres connection of its own: twice an eval case on a worker (the approval step and ``decide``), 7% of the
    worker's time spent connecting (py-spy). The accounts are still read on every call; ``pid``: a forked child
    never uses its parent's connection."""
    return RunStore(Path(path), url=url)


def load_roster(home: Path) -> dict[str, str]:
    """Reviewer name -> role: the store's accounts once there are any; before that ``reviewers.json`` or the
    default roster (for platform code that names a reviewer in-process; people sign in with an account)."""

    url = database_url()
    sandbox = url is not None and is_private(home)  # an eval sandbox on a worker: not the deployment's accounts
    if not sandbox and (url or (home / "runs.sqlite").exists()):
        store = _shared_store(str(runs_db(home)), url, os.getpid()) if url else RunStore(runs_db(home))
        if accounts := Accounts(store).roster():
            return accounts
    path = home / "reviewers.json"
    if not path.exists():
        return default_roster()
    try:
        roster = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(roster, dict) or not all(isinstance(v, str) for v in roster.values()):
        raise ValidationError(f"{path}: expected an object of reviewer name -> role")
    return roster


def known_roles(home: Path, knowledge: Any = None) -> list[str]:
    """The roles an account may be given: those of the roster (the demo reviewers every mission brings, or the
    accounts of the store), the policy roles, the customer role, and every role an indexed approval rule names
    (``knowledge``'s policies, when given): a role no rule names and nobody holds is a typo that approves nothing."""
    roles = {*default_roster().values(), *load_roster(home).values(), *POLICY_ROLES, CUSTOMER_ROLE}
    if knowledge is not None:
        roles.update(role for rule in indexed_rules(knowledge) for role in rule.roles)
    return sorted(roles)


def role_of(reviewer: str, roster: Mapping[str, str]) -> str:
    try:
        return roster[reviewer]
    except KeyError:
        raise NotFoundError(f"unknown reviewer {reviewer!r} (known: {', '.join(sorted(roster))})") from None


def indexed_rules(knowledge: Any) -> list[ApprovalRule]:
    """Every approval rule of the indexed policies (the approval policy carries them), as the files say."""
    return [rule for policy in knowledge.policies() for rule in policy.approval_rules]


def _rules_for(tool: str, rules: Sequence[ApprovalRule], facts: Mapping[str, Any] | None) -> list[ApprovalRule]:
    """The rules that govern ``tool`` in this case: conditional ones the facts meet replace the others."""
    covering = [r for r in rules if tool in r.tools or "*" in r.tools]
    if facts is not None:
        met = [r for r in covering if r.when is not None and evaluate(r.when, facts) is not False]
        if met:
            return met
    return [r for r in covering if r.when is None]


def approval_rules(knowledge: Any) -> list[ApprovalRule]:
    """The approval rules that apply: the rules of record of the knowledge base's home (seeded once from the
    index), or the indexed rules for a knowledge base with no home (a test double, an eval view). A knowledge base
    that pins its rules (an eval run's, read once: the rules do not change while it runs) answers itself."""
    pinned = getattr(type(knowledge), "pinned_approval_rules", None)
    if pinned is not None:
        return list(pinned(knowledge))
    store = _record_store(knowledge)
    if store is None:
        return indexed_rules(knowledge)
    recorded = _of_record(store)
    if recorded is None:
        if getattr(knowledge, "restricted", False):  # a view sees only some policies: never seed from it
            return indexed_rules(knowledge)
        rules = indexed_rules(knowledge)
        _record(store, rules, by="seeded from the policy index", role=None)
        return rules
    return [ApprovalRule.model_validate(r) for r in recorded["rules"]]


def _of_record(store: RunStore) -> dict[str, Any] | None:
    """The signed rules of record (None before they are first recorded); UnsignedRowError, naming the row, when
    they were edited outside the platform, put back from before a later change, or deleted after the audit trail
    recorded them."""
    text = store.get_meta(RULES_KEY)
    if text is None:  # what the chain says as verified, not a query an edited chain would answer otherwise
        recorded = records.believed(store.read(), store.audit).kinds.get("approval_rules_recorded")
        if recorded is not None:
            raise UnsignedRowError(
                f"the approval rules of record ({RULES_KEY})",
                why=f"deleted: audit entry {recorded} recorded them; they are not re-seeded from the policy index",
            )
        return None
    return _verified(store, RULES_KEY, text)[0]


def _verified(store: RunStore, key: str, text: str) -> tuple[Any, int]:
    """A meta row of record's value and version, once its signature and the chain's latest version of it hold."""
    value, version = records.meta_value(store.read(), store.audit, key, text)
    if key == RULES_KEY and value.get("digest") != _digest([ApprovalRule.model_validate(r) for r in value["rules"]]):
        raise UnsignedRowError(f"the meta row {key!r}")
    return value, version


def _legacy_signed(store: RunStore, text: str) -> bool:
    return records.legacy_meta_signed(store.audit.key, text)


def rules_drift(knowledge: Any) -> str | None:
    """Why the indexed approval rules are not the ones that apply (they differ from the rules of record)."""
    store = _record_store(knowledge)
    recorded = _of_record(store) if store is not None else None
    if recorded is None:
        return None
    indexed = _digest(indexed_rules(knowledge))
    of_record = recorded["digest"]
    if indexed == of_record:
        return None
    return (
        f"the approval rules in the indexed policies ({indexed}) differ from the rules of record ({of_record}) and "
        f"are ignored: a {' or '.join(POLICY_ROLES)} adopts them with "
        "`missions knowledge adopt-rules`, signed in as a controller"
    )


def adopt_rules(knowledge: Any, home: Path, reviewer: str) -> dict[str, Any]:
    """Make the indexed approval rules the rules of record: an approved, audited policy change."""
    role = role_of(reviewer, load_roster(home))
    if role not in POLICY_ROLES:
        raise ForbiddenError(
            f"{reviewer} ({role}) may not change the approval rules; it takes one of: {', '.join(POLICY_ROLES)}"
        )
    if getattr(knowledge, "restricted", False):
        raise ValidationError("adopt approval rules from the whole index, not a restricted view")
    store = _record_store(knowledge)
    if store is None:
        raise ValidationError("this knowledge base has no home to keep approval rules of record in")
    approval_rules(knowledge)  # seeded if it never was
    if rules_drift(knowledge) is None:
        return {"changed": False, "digest": _digest(indexed_rules(knowledge))}
    return _record(store, indexed_rules(knowledge), by=reviewer, role=role)


def approval_history(knowledge: Any) -> list[dict[str, Any]]:
    """Every change of the rules of record: when, by whom (and role), digest before and after."""
    store = _record_store(knowledge)
    text = store.get_meta(HISTORY_KEY) if store is not None else None
    history: list[dict[str, Any]] = _verified(store, HISTORY_KEY, text)[0] if store is not None and text else []
    return history


def _record(store: RunStore, rules: Sequence[ApprovalRule], *, by: str, role: str | None) -> dict[str, Any]:
    """Make ``rules`` the rules of record: signed at their next version, with the change in the signed history, and
    both versions on the audit chain (what tells a deleted or an older row from the one in force)."""
    before = _of_record(store)
    history_text = store.get_meta(HISTORY_KEY)
    history = _verified(store, HISTORY_KEY, history_text)[0] if history_text else []
    digest = _digest(rules)
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by,
        "role": role,
        "before": before["digest"] if before else None,
        "after": digest,
        "changed": True,
    }
    with store.transaction() as db:
        summary = f"approval rules of record {digest} ({by})"
        event = {"kind": "approval_rules_recorded", "actor": by, "summary": summary, "data": entry}
        chain(db, [audit_entry(None, event)])
        values = (
            (RULES_KEY, {"digest": digest, "rules": [r.model_dump() for r in rules]}),
            (HISTORY_KEY, [*history, entry]),
        )
        for key, value in values:
            _put_meta(store, db, key, value, by=by, why=f"rules {digest}")
    return entry


def _put_meta(store: RunStore, db: Any, key: str, value: Any, *, by: str, why: str) -> None:
    records.put_meta(db, store.audit, key, value, by=by, why=why)


def adopt_unsigned_rules(store: RunStore) -> bool:
    """Sign the rules of record (and their history) a store kept before they were signed; False when there are
    none to sign. Call only on a store that never had signed rows (:meth:`Accounts.ever_signed`)."""
    text = store.get_meta(RULES_KEY)
    try:
        value = json.loads(text) if text else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or "signature" in value or "rules" not in value:
        return False
    rules = [ApprovalRule.model_validate(r) for r in value["rules"]]
    history = json.loads(store.get_meta(HISTORY_KEY) or "[]")
    with store.transaction() as db:
        event = {"kind": "approval_rules_recorded", "actor": "platform", "summary": "rules of record signed"}
        chain(db, [audit_entry(None, {**event, "data": {"digest": _digest(rules), "adopted": True}})])
        _put_meta(store, db, RULES_KEY, {"digest": _digest(rules), "rules": [r.model_dump() for r in rules]},
                  by="platform", why="adopted")  # fmt: skip
        _put_meta(store, db, HISTORY_KEY, history if isinstance(history, list) else [], by="platform", why="adopted")
    return True


def anchor_unversioned_rules(store: RunStore, db: Any, *, by: str) -> list[str]:
    """Put the meta rows of record of a store from before row versions on the chain, once, as they are (inside the
    transaction of ``missions audit key``): each whose signature of that version holds, signed again at version
    1. Returns the rows anchored."""
    anchored = []
    for key in (RULES_KEY, HISTORY_KEY):
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None or not _legacy_signed(store, str(row[0])):
            continue
        _put_meta(store, db, key, json.loads(str(row[0]))["value"], by=by, why="anchored")
        anchored.append(f"the meta row {key!r}")
    return anchored


def _digest(rules: Sequence[ApprovalRule]) -> str:
    canonical = json.dumps([r.model_dump() for r in rules], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _record_store(knowledge: Any) -> RunStore | None:
    """The run store of the home whose ``knowledge`` directory the knowledge base reads, if it has one."""
    directory = getattr(knowledge, "directory", None)
    if not isinstance(directory, Path) or directory.name != "knowledge":
        return None
    return _store_at(str(runs_db(directory.parent)))


@functools.cache
def _store_at(path: str) -> RunStore:
    return RunStore(Path(path))


def approval_problems(
    role: str,
    actions: Iterable[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    tools: ToolPolicy,
    facts: Mapping[str, Any] | None = None,
) -> list[str]:
    """Why ``role`` may not approve these actions (empty when it may); ``tools`` says which argument is money,
    ``facts`` (the case's, when at hand) decide which conditional rules apply."""
    problems = []
    for action in actions:
        tool = str(action.get("tool"))
        applicable = _rules_for(tool, rules, facts)
        if not applicable:
            problems.append(f"no approval rule covers {tool}")
            continue
        amount = tools.amount_of(action)
        permitted = [r for r in applicable if role in r.roles]
        if not permitted:
            roles = sorted({x for r in applicable for x in r.roles})
            problems.append(f"{tool} needs one of the roles {', '.join(roles)}; {role} may not approve it")
        elif amount is not None and not any(r.max_amount is None or amount <= r.max_amount for r in permitted):
            ceiling = max(r.max_amount or 0 for r in permitted)
            problems.append(f"{tool} of {amount:.2f} exceeds the {role} approval limit of {ceiling:.2f}")
    return problems


def deciding_person(
    rule: ApprovalRule, facts: Mapping[str, Any] | None, away: Collection[str] = ()
) -> tuple[str | None, str]:
    """Who decides under a rule that names one person (an ``approver_fact``), and how they are named: the person the
    fact names (``ava (account.approver)``); while that person is marked away (``away``), the one the rule's
    ``stand_in_fact`` names (``maya (account.owner_manager, in place of ava, who is away)``), unless they are away too,
    are the same person or the rule names no stand-in (then nobody: None, and why). None and why when the fact names
    nobody."""
    fact = str(rule.approver_fact)
    named = (facts or {}).get(fact)
    if named is None:
        return None, f"{fact}, and nobody holds it in this case"
    if named not in away:
        return str(named), f"{named} ({fact})"
    stand_in = (facts or {}).get(rule.stand_in_fact) if rule.stand_in_fact else None
    if stand_in is None or stand_in == named:
        return None, f"{named} ({fact}), who is away, and nobody stands in for them"
    if stand_in in away:
        return None, f"{named} ({fact}), who is away, and {stand_in} ({rule.stand_in_fact}), who stands in, is away too"
    return str(stand_in), f"{stand_in} ({rule.stand_in_fact}, in place of {named}, who is away)"


def ownership_problems(
    reviewer: str,
    actions: Iterable[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    facts: Mapping[str, Any] | None,
    away: Collection[str] = (),
) -> list[str]:
    """Why ``reviewer`` may not approve these actions as a person (empty when they may): a rule with an
    ``approver_fact`` lets only the reviewer that fact names approve its tools (an account's owner), or while they
    are away (``away``: the accounts marked away) the one its ``stand_in_fact`` names (their manager), whatever role
    others hold (:func:`deciding_person`). Without the case's facts, or with the fact unknown, it fails closed.
    Checked next to :func:`approval_problems` wherever a decision is taken: ``decide``, and the graph's resume,
    which alone mints grants. ``reviewer`` empty is a role with no one person (a hand-off to a role)."""
    problems = []
    for action in actions:
        tool = str(action.get("tool"))
        for rule in _rules_for(tool, rules, facts):
            if rule.approver_fact is None:
                continue
            person, named = deciding_person(rule, facts, away)
            if person is None:
                problems.append(f"{tool} is decided by {named}")
            elif not reviewer:
                problems.append(f"{tool} is decided by {named} alone, not by whoever holds a role")
            elif person != reviewer:
                problems.append(f"{tool} is decided by {named}, not {reviewer}{_how(rule, facts, reviewer, away)}")
    return problems


def _how(rule: ApprovalRule, facts: Mapping[str, Any] | None, reviewer: str, away: Collection[str]) -> str:
    """How ``reviewer`` could come to decide: the person the rule names is away and it is they (marking themselves
    back), or they are the rule's stand-in (once that person is marked away)."""
    named = (facts or {}).get(str(rule.approver_fact))
    if reviewer == named and reviewer in away:
        return f"; {reviewer} is marked away (`missions accounts back` ends it)"
    if rule.stand_in_fact and named and (facts or {}).get(rule.stand_in_fact) == reviewer:
        return (
            f"; {reviewer} ({rule.stand_in_fact}) decides it in their place once {named} is marked away "
            f"(`missions accounts away`, signed in as {named})"
        )
    return ""


def approvers(
    roster: Mapping[str, str],
    actions: Iterable[Mapping[str, Any]],
    rules: Sequence[ApprovalRule],
    tools: ToolPolicy,
    facts: Mapping[str, Any] | None = None,
    away: Collection[str] = (),
) -> list[str]:
    """The reviewers on ``roster`` whose role may approve every one of ``actions`` in this case (``away``: the
    accounts marked away, whose stand-ins decide in their place)."""
    plan = list(actions)
    return [
        name
        for name, role in roster.items()
        if not approval_problems(role, plan, rules, tools, facts=facts)
        and (facts is None or not ownership_problems(name, plan, rules, facts, away))
    ]
