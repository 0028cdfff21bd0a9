"""Missions as plug-ins: a mission is one typed record (:class:`Mission`), registered once, and the registry of
installed missions.

A mission is a package that registers its ``Mission`` under the ``ai_missions.missions`` entry-point group::

    [project.entry-points."ai_missions.missions"]
    order-exception = "ai_missions.graphs.order_exception.spec:SPEC"

The record says what the mission works on (its subject: an order, an invoice, a ticket...), its vocabulary (case
types, outcomes, facts, knowledge domains), the systems it reads and writes, and its tool policy (per write tool:
execution phase, whether it may run without a reviewer, which ids it may touch, which arguments are free text),
and holds its parts as the objects themselves: the prompt and the trigger, and the functions that build its graph
and give its eval plugin (each imports LangGraph or the simulator when first called, so listing missions costs
milliseconds). A part named by a ``"module:attribute"`` string is refused in one line when the mission is
declared. The platform (runtime, CLI, dashboard, evals, knowledge) reads everything mission-specific from here and
never imports a mission by name.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.tools import ToolSpec
from ai_missions.kernel.triggers import Trigger

if TYPE_CHECKING:
    from langgraph.graph import StateGraph

    from ai_missions.kernel.eval_plugin import EvalPlugin
    from ai_missions.kernel.tiers import TierPolicy

ENTRY_POINT_GROUP = "ai_missions.missions"
#: The outcome every mission has: a person must decide (the guard and the platform rely on it).
ESCALATE = "escalate"

ActionT = TypeVar("ActionT", bound=Mapping[str, Any])
#: What the mission's reader makes of what people wrote (its typed request).
RequestT = TypeVar("RequestT")
#: The mission's facts: fact name -> value (``None``: not known), as its vocabulary describes them.
FactsT = TypeVar("FactsT", bound=Mapping[str, Any])
#: The facts of a mission that declares no model of its own.
Facts: TypeAlias = Mapping[str, Any]
#: ``invariants(tool, args, facts, earlier_tools) -> problems``: a mission's rules the guard enforces.
Invariants = Callable[[str, Mapping[str, Any], Mapping[str, Any], Sequence[str]], list[str]]
#: (tool, args, facts) -> the record an action settles (an order of a cluster), or None when it is not told apart.
Owner = Callable[[str, Mapping[str, Any], Mapping[str, Any]], str | None]


def fact_number(value: Any) -> float | None:
    """A fact or argument as a number for an invariant's comparison; None when it is not one (unknown, text, or a
    bool, which Python would otherwise count as 0 or 1), so that a rule on it fails closed."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Subject:
    """What one run of the mission works on."""

    #: ``order``, ``invoice``, ``ticket``, ``account``...
    kind: str
    #: An example id, for help texts.
    example: str
    #: The shape of a valid id (checked before anything starts).
    pattern: str = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"
    #: A read tool and its id argument that find the subject in its system of record: a run starts only on a
    #: subject that exists, so an unknown id records nothing.
    lookup: tuple[str, str] | None = None

    def check(self, subject_id: str) -> str:
        """The id, stripped; ValidationError naming the subject kind when it cannot be one."""
        value = subject_id.strip() if isinstance(subject_id, str) else ""
        if not re.fullmatch(self.pattern, value):
            raise ValidationError(f"{subject_id!r} is not a valid {self.kind} id (e.g. {self.example})")
        return value


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The mission's words: what can be wrong with a subject, what a verdict can say, the facts clauses test."""

    case_types: tuple[str, ...]
    outcomes: tuple[str, ...]
    #: Fact name -> (type, description). ``None`` is a legal value of any fact and means "not known".
    facts: Mapping[str, tuple[str, str]]
    #: Enterprise Knowledge domains the mission may read.
    domains: tuple[str, ...]
    #: The fact holding the case types detected on a subject.
    types_fact: str = "exception.types"
    #: Outcomes under which actions that move the subject forward stay in a plan.
    advancing_outcomes: tuple[str, ...] = ("proceed",)
    #: Outcomes that wait for someone outside (the customer) to answer a question: in a case of several parts
    #: (:mod:`ai_missions.nodes.parts`), one part asking makes the plan that question, the other parts waiting.
    asking_outcomes: tuple[str, ...] = ()

    @classmethod
    def read(cls, path: Path, **fields: Any) -> Vocabulary:
        """A mission's words kept as data (a TOML file: the lists, ``types_fact`` and a ``[facts]`` table of name ->
        [type, description]); ``fields`` given here stand in for the file's (words built in code)."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data = {k: v if k in ("facts", "types_fact") else tuple(v) for k, v in data.items()}
        data["facts"] = {name: (kind, text) for name, (kind, text) in data.get("facts", {}).items()}
        try:
            return cls(**{**data, **fields})
        except TypeError as e:
            raise ValidationError(f"{path}: {e}") from None

    def __post_init__(self) -> None:
        if ESCALATE not in self.outcomes:
            raise ValueError(f"a mission's outcomes must include {ESCALATE!r}")
        if self.types_fact not in self.facts:
            raise ValueError(f"the types fact {self.types_fact!r} is not among the facts")


@dataclass(frozen=True, slots=True)
class ToolRule:
    """How a mission treats one write tool of a system."""

    spec: ToolSpec
    #: Execution order: lower phases run first (data fixes, then money and stock, then fulfilment, then messages).
    phase: int
    #: May run without a reviewer (only internal records that move no money or stock and reach nobody).
    automatable: bool = False
    #: Moves the subject forward (release, confirm, capture, pay...): dropped from plans that do not go ahead.
    advancing: bool = False
    #: Argument -> facts holding the ids of this case it may name (anything else is another case's record).
    ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Arguments that are free text (reasons, message bodies): not key arguments when plans are compared.
    free_text: frozenset[str] = frozenset()
    #: Tools this one depends on when the same plan has them: it runs after them and is skipped when one of them
    #: is rejected or fails. None: it depends on every earlier action that needs a reviewer.
    depends_on: frozenset[str] | None = None
    #: Moves, reserves or withholds stock (named with its arguments in the reviewer's confirmation, like money).
    moves_stock: bool = False
    #: An internal note's text argument: run without a reviewer, it is written as proposed only when the plan's
    #: other actions are done, else composed from what is true then (:mod:`ai_missions.nodes.notes`).
    note_text: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def irreversible(self) -> bool:
        return self.spec.irreversible

    @property
    def amount_arg(self) -> str | None:
        return self.spec.amount_arg


class ToolPolicy(Mapping[str, ToolRule]):
    """A mission's write tools by name, with the order to act in."""

    def __init__(self, rules: Iterable[ToolRule], owner: Owner | None = None) -> None:
        self._rules = {rule.name: rule for rule in rules}
        #: When a plan settles several records (the copies of a duplicate cluster), the one each action belongs to:
        #: an action then depends only on the actions it depends on for the same record (or an unknown one).
        self.owner = owner
        if reads := [r.name for r in self._rules.values() if not r.spec.is_write]:
            raise ValueError(f"tool policies cover write tools only; {reads} read")
        for rule in self._rules.values():
            for needed in sorted(rule.depends_on or ()):
                if needed not in self._rules or self._rules[needed].phase > rule.phase:
                    raise ValueError(f"{rule.name} depends on {needed}: not a tool of this policy in an earlier phase")
        self._depth = {name: self._chain(name, ()) for name in self._rules}

    def __getitem__(self, name: str) -> ToolRule:
        return self._rules[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def automatable(self) -> frozenset[str]:
        return frozenset(n for n, r in self._rules.items() if r.automatable)

    @property
    def irreversible(self) -> frozenset[str]:
        return frozenset(n for n, r in self._rules.items() if r.irreversible)

    @property
    def free_text(self) -> frozenset[str]:
        """Every free-text argument name of any tool (plus the idempotency key)."""
        return frozenset({"idempotency_key"}).union(*(r.free_text for r in self._rules.values()))

    def phase_of(self, tool: str) -> int:
        rule = self._rules.get(tool)
        return rule.phase if rule is not None else max((r.phase for r in self._rules.values()), default=0) + 1

    def _chain(self, name: str, seen: tuple[str, ...]) -> int:
        """How many dependencies deep a tool sits (a cycle is a policy error)."""
        if name in seen:
            raise ValueError(f"tool dependencies form a cycle: {' -> '.join((*seen, name))}")
        needs = self._rules[name].depends_on or ()
        return max((1 + self._chain(n, (*seen, name)) for n in needs), default=0)

    def depends(
        self,
        tool: str,
        earlier_tool: str,
        args: Mapping[str, Any] | None = None,
        earlier_args: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether ``tool`` depends on an earlier action of ``earlier_tool`` in the same plan; with both actions'
        arguments and the facts, not when the policy's ``owner`` tells them apart as settling different records
        (voiding one cancelled copy's authorization does not wait on another copy's cancellation)."""
        rule = self._rules.get(tool)
        if rule is None or rule.depends_on is None:
            dependent = not {tool, earlier_tool} & self.automatable
        else:
            dependent = earlier_tool in rule.depends_on
        if dependent and self.owner is not None and args is not None and earlier_args is not None:
            mine, theirs = self.owner(tool, args, facts or {}), self.owner(earlier_tool, earlier_args, facts or {})
            return mine is None or theirs is None or mine == theirs
        return dependent

    def in_execution_order(self, actions: Sequence[ActionT]) -> list[ActionT]:
        """A stable sort by phase, then within a phase by dependency (what an action depends on runs first); the
        proposer's order stands otherwise."""

        def key(action: ActionT) -> tuple[int, int]:
            tool = str(action["tool"])
            return self.phase_of(tool), self._depth.get(tool, 0)

        return sorted(actions, key=key)

    def stock_of(self, action: Mapping[str, Any]) -> str | None:
        """What stock an action moves, in words (its tool and key arguments), when its tool moves stock."""
        rule = self._rules.get(str(action.get("tool")))
        if rule is None or not rule.moves_stock:
            return None
        skip = self.free_text
        args = ", ".join(f"{k}={v}" for k, v in sorted((action.get("args") or {}).items()) if k not in skip)
        return f"{rule.name} ({args})" if args else rule.name

    def amount_of(self, action: Mapping[str, Any]) -> float | None:
        """The money an action moves, when its tool has an amount argument and it is a number."""
        rule = self._rules.get(str(action.get("tool")))
        if rule is None or rule.amount_arg is None:
            return None
        return fact_number((action.get("args") or {}).get(rule.amount_arg))


class Prompt(Protocol):
    """What the LLM reasoner is told about the mission (a module of the mission's with these names will do)."""

    #: Who the model is asked to be.
    ROLE: str
    #: What each of the mission's outcomes means.
    OUTCOMES_HELP: str


#: The parts a mission hands over as callables (never named by a string); ``prompt``, ``trigger`` and ``evals`` (or
#: a function giving it) are objects.
PARTS = ("invariants", "question", "graph", "read_back", "metrics")


@dataclass(frozen=True)  # no slots: a slotted frozen generic cannot be built through ``Mission[R, F](...)``
class Mission(Generic[RequestT, FactsT]):
    """Everything the platform needs to know about a mission, ``Request`` being what its reader returns and
    ``Facts`` its facts (:data:`Facts` where it has no model of its own)."""

    name: str
    title: str
    subject: Subject
    #: Systems the mission reads and writes (a runtime starts only these).
    systems: tuple[str, ...]
    vocabulary: Vocabulary
    tools: ToolPolicy
    #: The mission's own rules, checked by the guard on every proposal and every reviewer edit.
    invariants: Callable[[str, Mapping[str, Any], FactsT, Sequence[str]], list[str]]
    #: ``(case_type, facts) -> question`` asked of Enterprise Knowledge for each case type found.
    question: Callable[[str, FactsT], str]
    #: ``(mission) -> StateGraph``: the uncompiled graph of this mission (the standard shape around its gather step).
    graph: Callable[[Mission[RequestT, FactsT]], StateGraph[Any, Any, Any, Any]]
    #: What the LLM reasoner is told about the mission.
    prompt: Prompt
    #: What starts runs (the subjects that need the mission now), or None.
    trigger: Trigger | None = None
    #: The mission's eval plugin (datasets, replay environment, scorers), or ``() -> EvalPlugin`` when loading it
    #: costs start-up time (it registers scorers with the harness); None: the mission has none.
    evals: EvalPlugin | Callable[[], EvalPlugin] | None = None
    #: The mission's own policies (Markdown with clauses), indexed into Enterprise Knowledge with the rest.
    policies: Path | None = None
    #: One line a person reads about what the mission does.
    description: str = ""
    #: Demo reviewers the mission brings (name -> role), added to the platform's default roster.
    reviewers: Mapping[str, str] = field(default_factory=dict)
    #: Dashboard pages the mission brings: title -> Streamlit page file (shown under the mission's title).
    pages: Mapping[str, Path] = field(default_factory=dict)
    #: Dashboard pages for the mission's customers (title -> page file): all a ``customer`` account sees; each page
    #: shows only what is the signed-in customer's own. Staff do not see them.
    portal_pages: Mapping[str, Path] = field(default_factory=dict)
    #: Write tools a signed-in customer makes themselves through those pages (a message about their own order):
    #: never one of ``tools`` (the mission's actions, which a reviewer decides). The platform authorizes each and
    #: mints its grant (:mod:`ai_missions.customer_writes`); the mission never does.
    customer_tools: frozenset[str] = frozenset()
    #: Action tiers (observe, recommend, automate, escalate) per write tool, when the mission has them
    #: (:mod:`ai_missions.kernel.tiers`); None: the reasoner's own ``auto``/``review`` stand.
    tiers: TierPolicy | None = None
    #: ``read_back(facts, verdict) -> verdict``: what of a proposal may go on before the person it is for has said
    #: yes to it (the support mission reads its plan back to the customer first, :mod:`ai_missions.nodes.read_back`);
    #: None: every proposal goes on as the policies made it.
    read_back: Callable[[Mapping[str, Any], Any], Any] | None = None
    #: ``(runs) -> {metric: value}``: the mission's own operating metrics over its run records
    #: (:mod:`ai_missions.services.metrics`), beside the platform's; None: the platform's only.
    metrics: Callable[[Sequence[Any]], Mapping[str, Any]] | None = None
    #: When the mission runs on its own over every case its trigger finds: a cron expression and a time zone
    #: (``("0 7 * * 1-5", "Europe/Berlin")``), fired by ``missions scheduler`` (:mod:`ai_missions.schedules`).
    schedule: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        objects = {"prompt": tuple(Prompt.__annotations__), "trigger": ("systems", "find"), "evals": ("datasets",)}
        for part in (*PARTS, *objects):
            value = getattr(self, part)
            if value is None or (callable(value) and part != "prompt" and part != "trigger"):
                continue
            if part in objects and not isinstance(value, str) and all(hasattr(value, n) for n in objects[part]):
                continue
            how = f"names it by a string ({value!r})" if isinstance(value, str) else f"gives {type(value).__name__}"
            thing = "object" if part in objects else "function"
            raise ValidationError(f"the {self.name} mission: its {part} {how}: hand over the {thing} itself")

    def build_graph(self) -> StateGraph[Any, Any, Any, Any]:
        """The mission's uncompiled graph."""
        return self.graph(self)

    def get_trigger(self) -> Trigger:
        """The mission's trigger (a NotFoundError when it has none)."""
        if self.trigger is None:
            raise NotFoundError(f"the {self.name} mission has no trigger")
        return self.trigger

    def eval_plugin(self) -> EvalPlugin:
        """The mission's eval plugin (a NotFoundError when it has none)."""
        if self.evals is None:
            raise NotFoundError(f"the {self.name} mission has no evals")
        return self.evals() if callable(self.evals) else self.evals

    def check_subject(self, subject_id: str) -> str:
        return self.subject.check(subject_id)

    def describe_tool(self, tool: str) -> str:
        rule = self.tools.get(tool)
        return f"{tool} ({rule.spec.system}): {rule.spec.summary}" if rule else tool


#: Any mission, as the platform sees it (it never needs what a mission's reader returns, nor its facts' model).
MissionSpec: TypeAlias = Mission[Any, Any]


@cache
def registry() -> dict[str, MissionSpec]:
    """Every installed mission, by name (from the ``ai_missions.missions`` entry points)."""
    from importlib.metadata import entry_points

    found = {point.name: _load_spec(point) for point in entry_points(group=ENTRY_POINT_GROUP)}
    return dict(sorted(found.items()))


@cache
def _one(name: str) -> MissionSpec | None:
    """The mission registered as ``name`` alone (None: no such entry point): a command on one mission loads its
    spec, not every installed mission's (~20 ms and ~50 modules of a cold start with five)."""
    from importlib.metadata import entry_points

    points = entry_points(group=ENTRY_POINT_GROUP, name=name)
    return next((_load_spec(point) for point in points), None)


def _load_spec(point: Any) -> MissionSpec:
    spec = point.load()
    if not isinstance(spec, Mission):
        raise TypeError(f"entry point {point.name} = {point.value} is not a Mission")
    if spec.name != point.name:
        raise ValueError(f"entry point {point.name} names a mission called {spec.name!r}")
    return spec


def mission_names() -> list[str]:
    """The installed missions' names, read from their entry points without loading them (the CLI's choices)."""
    from importlib.metadata import entry_points

    return sorted({point.name for point in entry_points(group=ENTRY_POINT_GROUP)})


def get_mission(name: str | MissionSpec) -> MissionSpec:
    """A registered mission; NotFoundError naming the known ones otherwise."""
    if isinstance(name, Mission):
        return name
    spec = registry().get(name) if registry.cache_info().currsize else _one(name)
    if spec is None:
        raise NotFoundError(f"unknown mission {name!r} (known: {', '.join(registry()) or 'none'})")
    return spec


def all_case_types() -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for spec in registry().values() for t in spec.vocabulary.case_types))


def all_outcomes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(o for spec in registry().values() for o in spec.vocabulary.outcomes))


def all_domains() -> tuple[str, ...]:
    return tuple(dict.fromkeys(d for spec in registry().values() for d in spec.vocabulary.domains))


def all_facts() -> dict[str, tuple[str, str]]:
    facts: dict[str, tuple[str, str]] = {}
    for spec in registry().values():
        facts.update(spec.vocabulary.facts)
    return facts


def all_tool_rules() -> dict[str, ToolRule]:
    """Every write tool some mission may propose, with the first mission's rule for it."""
    rules: dict[str, ToolRule] = {}
    for spec in registry().values():
        for name, rule in spec.tools.items():
            rules.setdefault(name, rule)
    return rules


def governing_missions(case_types: Sequence[str], policy_path: Path | None = None) -> list[MissionSpec]:
    """The missions a policy governs: the mission whose own policy folder holds it, otherwise every mission one of
    whose case types it applies to."""
    specs = list(registry().values())
    if policy_path is not None:
        resolved = policy_path.resolve()
        owners = [s for s in specs if s.policies is not None and resolved.is_relative_to(s.policies.resolve())]
        if owners:
            return owners
    return [s for s in specs if set(case_types) & set(s.vocabulary.case_types)]


def retrieving_missions(case_types: Sequence[str], domain: str, policy_path: Path | None = None) -> list[MissionSpec]:
    """The missions that can retrieve a policy of ``domain`` applying to ``case_types``: the mission whose own policy
    folder holds it, and every mission that reads the domain and has one of the case types. Its clauses are checked
    against each one's vocabulary."""
    specs = list(registry().values())
    owners = []
    if policy_path is not None:
        resolved = policy_path.resolve()
        owners = [s for s in specs if s.policies is not None and resolved.is_relative_to(s.policies.resolve())]
    readers = [s for s in specs if domain in s.vocabulary.domains and set(case_types) & set(s.vocabulary.case_types)]
    return list({s.name: s for s in [*owners, *readers]}.values())


def mission_of_case_type(case_type: str) -> MissionSpec | None:
    return next((s for s in registry().values() if case_type in s.vocabulary.case_types), None)


def policy_dirs() -> list[Path]:
    """The policy folders the registered missions ship (indexed with the company-wide corpus)."""
    return [spec.policies for spec in registry().values() if spec.policies is not None]
