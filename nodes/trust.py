"""The state a mission acts on is the state its own steps wrote, in their order.

LangGraph's API lets a client write a thread's state (``update_state(..., as_node=...)``, or
``Command(update=..., goto=...)`` when starting one). Facts, policies and a verdict written that way would be
trusted by the steps after: a forged verdict on forged facts passes the guard and runs an automatable write with no
reviewer. The mission's graph refuses those calls at its door (:mod:`ai_missions.nodes.gate`), and every step checks
what it is handed, whoever called it:

- the first step starts from the run's input alone (its subject and trigger); a state holding anything else was
  written around it, and nothing runs;
- every step seals what it leaves (the platform key's HMAC over the run, the fields the mission reasons from, and
  the name of the step), and every step after the first checks that the seal holds and was made by the step the
  graph runs before it. A state changed outside the steps, or handed to a step out of order (a client continuing a
  thread ``as_node`` a later step), stops the run with one line saying so;
- a verdict carries the seal of the step that made it (the guard's, then the tiers'), which execution checks
  before it acts (:mod:`ai_missions.nodes.execute`). The approval step's decision has a seal of its own
  (:mod:`ai_missions.nodes.approval`).

A run paused before steps named themselves in their seals (a decision awaiting a reviewer across an upgrade) is
still resumed: its seal is accepted by the steps after the decision only (:data:`LEGACY_STEPS`), where nothing runs
without a reviewer's sealed answer.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
from collections.abc import Collection, Mapping
from typing import Any

import orjson
from langgraph.config import get_config
from langgraph.runtime import Runtime

from ai_missions.kernel.errors import ForbiddenError
from ai_missions.kernel.signing import platform_key, sign
from ai_missions.nodes.context import MissionContext, server_context
from ai_missions.nodes.resources import home_of, off_loop
from ai_missions.nodes.state import MissionState, Node

#: What the mission reasons and acts from: written only by its own steps.
SEALED_FIELDS = ("subject_id", "trigger", "gathered", "facts", "customer_text", "policies", "proposal", "verdict")

#: A run's input: what a thread starts from, and all it may hold when its first step runs.
INPUT_FIELDS = ("subject_id", "trigger")

#: The steps that make a run's verdict: the guard, then the tiers placed on what it passed.
VERDICT_STEPS = ("validate", "apply_tiers")

#: The steps that accept a seal made before steps named themselves (a run paused at its decision, or stopped while
#: executing it, across an upgrade): each acts only on a decision the approval step sealed.
LEGACY_STEPS = ("request_approval", "execute", "close")

#: How a verdict vouched for by a legacy seal is named (:data:`LEGACY_STEPS` only act on it).
LEGACY = "legacy"

#: Each home's platform key, read once per process: a seal is computed at every step, on the event loop.
_keys: dict[str, bytes] = {}


def _key(home: Any) -> bytes:
    key = _keys.get(str(home))
    if key is None:
        key = _keys[str(home)] = platform_key(home)
    return key


#: orjson as close to ``json.dumps(default=str)`` as it goes: dates and dataclasses through ``str``.
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _mac(home: Any, body: Mapping[str, Any]) -> str:
    """The platform's HMAC of ``body`` as orjson writes it (0.03 ms on an order's state, where ``json`` takes 0.18:
    a replay seals ~12 times a case); a body orjson cannot write (a key that is not a string, an integer past 64
    bits) as :func:`_json_mac` writes it."""
    try:
        text = orjson.dumps(body, default=str, option=_ORJSON)
    except TypeError:
        return _json_mac(home, body)
    return hmac.new(_key(home), text, hashlib.sha256).hexdigest()


def _json_mac(home: Any, body: Mapping[str, Any]) -> str:
    try:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    except TypeError:  # keys of mixed types cannot be sorted: as JSON writes them (all strings) first
        return sign(_key(home), json.loads(json.dumps(body, default=str)))
    return hmac.new(_key(home), text.encode(), hashlib.sha256).hexdigest()


def state_seal(home: Any, run: str, state: Mapping[str, Any], step: str | None = None) -> str:
    """The platform's signature of the sealed fields of ``state`` for one run, as ``step`` leaves them (None: the
    seal runs made before steps named themselves)."""
    return _mac(home, _body(run, state, step))


def json_seal(home: Any, run: str, state: Mapping[str, Any], step: str | None = None) -> str:
    """The seal as ``json`` writes the state: the one sealed runs paused before orjson was used still carry."""
    return _json_mac(home, _body(run, state, step))


def _body(run: str, state: Mapping[str, Any], step: str | None) -> dict[str, Any]:
    body = {"sealed": "state", "run": run, **{k: state.get(k) for k in SEALED_FIELDS}}
    if step is not None:
        body.update(step=step, verdict_seal=state.get("verdict_seal"))
    return body


def verdict_seal(home: Any, run: str, step: str, verdict: Mapping[str, Any]) -> dict[str, str]:
    """The seal a verdict carries: which step of the run made it, signed with the verdict."""
    return {"step": step, "seal": _mac(home, {"sealed": "verdict", "run": run, "step": step, "verdict": verdict})}


def home_key_missing(home: Any) -> bool:
    return str(home) not in _keys


def holds(home: Any, run: str, state: Mapping[str, Any]) -> bool:
    """Whether the state's seal is the platform's seal of it, by the step it names (as orjson writes it, or as
    ``json`` did)."""
    seal = state.get("state_seal")
    if not isinstance(seal, str):
        return False
    step = state.get("sealed_by")
    if step is not None and not isinstance(step, str):
        return False
    return hmac.compare_digest(state_seal(home, run, state, step), seal) or hmac.compare_digest(
        json_seal(home, run, state, step), seal
    )


def custody_problem(home: Any, run: str, state: Mapping[str, Any], after: Collection[str], legacy: bool) -> str | None:
    """Why ``state`` may not be acted on by a step the graph runs after ``after`` (None when it may): its seal does
    not hold, or another step made it. ``legacy``: a seal made before steps named themselves is accepted."""
    if not holds(home, run, state):
        return "the run's state was written outside the mission's steps (its seal does not hold)"
    made_by = state.get("sealed_by")
    if made_by is None:
        return None if legacy else "the run's state carries a seal that names no step (written by an older version)"
    if made_by not in after:
        return f"the run's state was left by {made_by}, not by the step before this one ({' or '.join(after)})"
    return None


def foreign_input(state: Mapping[str, Any]) -> list[str]:
    """The fields of a run's starting state that its input may not hold (empty for a run started from its subject):
    anything but the subject and the trigger, and a subject that is not a name."""
    found = [k for k, v in state.items() if k not in INPUT_FIELDS and v not in (None, [], {}, "")]
    if not isinstance(state.get("subject_id"), str) or not state["subject_id"].strip():
        found.append("subject_id (a non-empty string)")
    if not isinstance(state.get("trigger") or {}, Mapping):
        found.append("trigger (an object)")
    return found


def verdict_maker(home: Any, run: str, state: Mapping[str, Any]) -> str | None:
    """The step that made the state's verdict, when the verdict carries its seal for this run (None otherwise): one
    of :data:`VERDICT_STEPS`, or :data:`LEGACY` for a verdict a legacy seal vouched for (which only
    :data:`LEGACY_STEPS` accept, :func:`custody_problem`)."""
    if "verdict" not in state:
        return None
    if state.get("sealed_by") is None and holds(home, run, state):
        return LEGACY
    carried = state.get("verdict_seal")
    if not isinstance(carried, Mapping) or carried.get("step") not in (*VERDICT_STEPS, LEGACY):
        return None
    expected = verdict_seal(home, run, str(carried["step"]), state["verdict"])
    return str(carried["step"]) if hmac.compare_digest(expected["seal"], str(carried.get("seal", ""))) else None


def sealed_step(name: str, node: Node, *, after: Collection[str] = ()) -> Node:
    """``node``, acting only on a state the step before it (``after``: the steps the graph runs before this one;
    none for the first step, which starts from the run's input alone) sealed for this run, and sealing the state it
    leaves with its name. A step in :data:`VERDICT_STEPS` seals the verdict it makes; no other step may make one."""

    wants_runtime = len(inspect.signature(node).parameters) > 1
    legacy = name in LEGACY_STEPS

    async def run_node(state: MissionState, runtime: Runtime[MissionContext]) -> Any:
        args = (state, runtime) if wants_runtime else (state,)
        if inspect.iscoroutinefunction(node):
            return await node(*args)
        return await off_loop(node, *args)  # a plain function: off the event loop, as LangGraph would run it

    async def step(state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
        run = str(get_config()["configurable"]["thread_id"])
        if not isinstance(runtime.context, MissionContext):  # a client's context, reached around the graph's door
            runtime = runtime.override(context=server_context(runtime.context))
        context = runtime.context
        home = context.home if context.home else await off_loop(home_of, context)
        if home_key_missing(home):
            await off_loop(_key, home)  # the first read of the key file, off the event loop
        if not after:
            if foreign := foreign_input(state):
                raise ForbiddenError(
                    f"{name}: a run starts from its subject alone; its input also holds {', '.join(foreign)}: "
                    "nothing runs"
                )
        elif problem := custody_problem(home, run, state, after, legacy):  # CPU only (a hash): on the loop
            raise ForbiddenError(f"{name}: {problem}; nothing more runs")
        update = dict(await run_node(state, runtime) or {})
        left = {**state, **{k: v for k, v in update.items() if k in SEALED_FIELDS}}
        if "verdict" in update:
            if name not in VERDICT_STEPS:
                raise ForbiddenError(f"{name}: only {' and '.join(VERDICT_STEPS)} make a verdict; nothing more runs")
            update["verdict_seal"] = left["verdict_seal"] = verdict_seal(home, run, name, update["verdict"])
        elif legacy and state.get("sealed_by") is None and "verdict" in state:  # a run sealed by an older version
            update["verdict_seal"] = left["verdict_seal"] = verdict_seal(home, run, LEGACY, state["verdict"])
        return {**update, "sealed_by": name, "state_seal": state_seal(home, run, left, name)}

    step.__name__ = getattr(node, "__name__", name)
    return step
