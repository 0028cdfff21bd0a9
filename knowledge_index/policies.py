"""Policy documents: Markdown with YAML front matter, parsed and validated into :class:`Policy` objects.

Every problem is reported with the file and line it comes from (the line of the offending front-matter key, or the
YAML parser's own mark), and one bad file never stops the rest of the corpus from loading::

    corpus = load_corpus(Path("knowledge_index/policies"))
    for problem in corpus.problems:
        print(problem)  # knowledge_index/policies/pay-001.md:4: domain: 'payment' is not one of ...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator
from pydantic import ValidationError as PydanticValidationError

from ai_missions.kernel.missions import (
    MissionSpec,
    all_case_types,
    all_domains,
    policy_dirs,
    registry,
    retrieving_missions,
)
from ai_missions.knowledge_index.clauses import (
    EVERY_CASE,
    PLACEHOLDER,
    AllOf,
    AnyOf,
    ApprovalRule,
    Clause,
    Condition,
    Deadline,
    DeadlineFactor,
    Leaf,
)

#: ``applies_to`` value meaning "every exception type".
APPLIES_TO_ALL = "all"
_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]{3,}$")
_FENCE = re.compile(r"^\s*(```|~~~)")
#: Members of the clause ``Condition`` union, as pydantic names them in error locations, and the key each needs.
_CONDITION_KEYS = {"Leaf": "fact", "AllOf": "all", "AnyOf": "any", "NotOf": "not"}
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")


class Policy(BaseModel):
    """One validated policy document."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    title: str
    domain: str
    version: int
    effective_from: dt.date
    applies_to: tuple[str, ...]
    clauses: tuple[Clause, ...] = ()
    approval_rules: tuple[ApprovalRule, ...] = ()
    #: How fast decisions on the cases it governs are due (:mod:`ai_missions.services.deadlines` reads them).
    deadlines: tuple[Deadline, ...] = ()
    #: What scales this policy's deadlines (marketplace orders: half the times).
    deadline_factors: tuple[DeadlineFactor, ...] = ()
    #: Front-matter keys this loader does not interpret (owner, tags, ...), kept as written.
    extra: dict[str, Any] = Field(default_factory=dict)
    body: str
    path: Path
    #: sha256 of the file's bytes: the unit of incremental rebuilds.
    content_hash: str
    #: The whole file as read (front matter and body), so the exact indexed version can be reproduced.
    source_text: str = Field(repr=False)

    def applies(self, exception_type: str) -> bool:
        """Whether the policy covers an exception type (``all`` covers every type)."""
        return APPLIES_TO_ALL in self.applies_to or exception_type in self.applies_to

    @property
    def citation(self) -> str:
        """How a verdict cites the policy: ``PAY-001 v3``."""
        return f"{self.id} v{self.version}"


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """Why (part of) a policy file could not be used."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Corpus:
    """The valid policies of a directory (sorted by id) and the problems of the others."""

    source: Path
    policies: tuple[Policy, ...]
    problems: tuple[PolicyProblem, ...]
    #: Every folder read (``source`` is the first).
    sources: tuple[Path, ...] = ()

    def by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.policies}


class _FrontMatter(BaseModel):
    """The schema of the front matter; unknown keys are kept in ``Policy.extra``."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    domain: str
    version: StrictInt = Field(ge=1)
    effective_from: dt.date
    applies_to: list[str]
    clauses: list[Clause] = Field(default_factory=list)
    approval_rules: list[ApprovalRule] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    deadline_factors: list[DeadlineFactor] = Field(default_factory=list)

    @field_validator("deadlines")
    @classmethod
    def _known_deadline_types(cls, deadlines: list[Deadline]) -> list[Deadline]:
        known = set(all_case_types())
        for deadline in deadlines:
            if unknown := [t for t in deadline.case_types if t != EVERY_CASE and t not in known]:
                raise ValueError(f"deadline for unknown case types {unknown}")
        return deadlines

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not a policy id like PAY-001")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the title is empty")
        return value.strip()

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if value not in all_domains():
            raise ValueError(f"{value!r} is not one of {', '.join(all_domains())}")
        return value

    @field_validator("applies_to", mode="before")
    @classmethod
    def _applies_to(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list):
            known = all_case_types()
            unknown = [v for v in values if v != APPLIES_TO_ALL and v not in known]
            if unknown:
                raise ValueError(f"unknown case types {unknown}; expected {APPLIES_TO_ALL!r} or one of {known}")
            if not values:
                raise ValueError("applies_to is empty")
        return values

    @field_validator("clauses")
    @classmethod
    def _unique_clause_ids(cls, clauses: list[Clause]) -> list[Clause]:
        seen: set[str] = set()
        for clause in clauses:
            if clause.id in seen:
                raise ValueError(f"clause id {clause.id!r} appears twice")
            seen.add(clause.id)
        return clauses


class _Invalid(Exception):
    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


def default_source() -> Path:
    """The corpus shipped with the package (``ai_missions/knowledge_index/policies``)."""
    return Path(str(importlib.resources.files("ai_missions.knowledge_index").joinpath("policies")))


def parse_policy(path: Path, text: str | None = None) -> Policy:
    """Parse and validate one file; raises :class:`InvalidPolicy` carrying every problem found."""
    raw = path.read_bytes() if text is None else text.encode()
    if (parsed := _PRELOADED.get((str(path), raw))) is not None:
        return parsed
    try:
        return _parse(path, raw)
    except _Invalid as exc:
        raise InvalidPolicy(exc.problems) from None


class InvalidPolicy(ValueError):
    """A policy file that cannot be used, with its problems by line."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def default_sources() -> list[Path]:
    """The company-wide corpus and the policies every registered mission ships."""
    return [default_source(), *policy_dirs()]


def load_corpus(source: Path | Sequence[Path] | None = None) -> Corpus:
    """Load every ``*.md`` under ``source`` (recursively; several folders, or by default :func:`default_sources`).
    Bad files become problems; ids must be unique across the folders."""
    sources = corpus_sources(source)
    missing = [PolicyProblem(s, None, "not a directory") for s in sources if not s.is_dir()]
    if missing:
        return Corpus(sources[0], (), tuple(missing), tuple(sources))
    policies: list[Policy] = []
    problems: list[PolicyProblem] = []
    for path in policy_files(sources):
        try:
            policies.append(_parse(path, path.read_bytes()))
        except _Invalid as exc:
            problems.extend(exc.problems)
        except OSError as exc:
            problems.append(PolicyProblem(path, None, f"cannot read: {exc}"))
    kept, duplicates = _drop_duplicate_ids(policies)
    problems.extend(duplicates)
    problems.extend(_check_overrides(kept))
    return Corpus(sources[0], tuple(sorted(kept, key=lambda p: p.id)), tuple(problems), tuple(sources))


#: The installed corpus parsed ahead (:func:`preload_policies`), by file and content.
_PRELOADED: dict[tuple[str, bytes], Policy] = {}


def preload_policies() -> None:
    """Parse the installed corpus now, once, in a process that forks workers (the eval pool's fork server): each
    worker then finds its index's policies parsed (by file and content, so an edited file is parsed again), where
    each parsed every one again (0.26 s of a worker's 0.5 s set-up, 75 policies). Only such a server calls this:
    its registry, which validation reads, is the one every worker it forks keeps."""
    for path in policy_files(corpus_sources()):
        raw = path.read_bytes()
        try:
            _PRELOADED[(str(path), raw)] = _parse(path, raw)
        except _Invalid:
            continue  # refused where it is used, with its problems


def corpus_sources(source: Path | Sequence[Path] | None = None) -> list[Path]:
    """The folders a corpus is read from, resolved: ``source`` (one or several), or :func:`default_sources`."""
    sources = [source] if isinstance(source, Path) else list(source or default_sources())
    return [s.resolve() for s in sources]


def policy_files(sources: Sequence[Path]) -> list[Path]:
    """The policy files of the folders: every ``*.md`` below them, hidden and ``_`` files left out."""
    return [p for s in sources for p in sorted(s.rglob("*.md")) if p.is_file() and not p.name.startswith((".", "_"))]


def _drop_duplicate_ids(policies: Sequence[Policy]) -> tuple[list[Policy], list[PolicyProblem]]:
    """Every file claiming an id already claimed by another is rejected; the first (by path) keeps it."""
    first: dict[str, Policy] = {}
    problems: list[PolicyProblem] = []
    for policy in policies:
        if policy.id in first:
            problems.append(
                PolicyProblem(
                    policy.path,
                    _front_line(policy.path, "id"),
                    f"duplicate policy id {policy.id}: already defined in {first[policy.id].path}",
                )
            )
        else:
            first[policy.id] = policy
    return list(first.values()), problems


def _check_overrides(policies: Sequence[Policy]) -> list[PolicyProblem]:
    """Overrides naming a clause no policy has: a warning-level problem (the policy still loads)."""
    known = {f"{p.id}/{c.id}" for p in policies for c in p.clauses}
    problems = []
    for policy in policies:
        for number, clause in enumerate(policy.clauses):
            for target in clause.overrides:
                full = target if "/" in target else f"{policy.id}/{target}"
                if full not in known:
                    problems.append(
                        PolicyProblem(
                            policy.path,
                            _front_line(policy.path, "clauses", number, "overrides"),
                            f"clause {clause.id!r} overrides unknown clause {target!r} (the policy is still indexed)",
                        )
                    )
    return problems


def _split_front_matter(path: Path, text: str) -> tuple[str, str, int]:
    """Front matter text, body, and the body's first line number (1-based)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise _Invalid([PolicyProblem(path, 1, "no front matter: the file must start with a '---' line")])
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise _Invalid([PolicyProblem(path, 1, "front matter is not closed by a '---' line")])


def _parse(path: Path, raw: bytes) -> Policy:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Invalid([PolicyProblem(path, None, f"not UTF-8: {exc}")]) from None
    front, body, _ = _split_front_matter(path, text)
    try:
        node, data = _compose_and_construct(front)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None
        raise _Invalid([PolicyProblem(path, line, f"front matter is not valid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise _Invalid([PolicyProblem(path, None, f"front matter is not valid YAML: {exc}")]) from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise _Invalid([PolicyProblem(path, 2, "front matter must be a mapping of keys to values")])
    try:
        front_matter = _FrontMatter.model_validate(data)
    except PydanticValidationError as exc:
        problems = [_problem_from_error(path, node, error) for error in exc.errors()]
        raise _Invalid(list(dict.fromkeys(p for p in problems if p is not None))) from None
    if unknown_words := _vocabulary_problems(path, node, front_matter):
        raise _Invalid(unknown_words)
    if not body.strip():
        raise _Invalid([PolicyProblem(path, None, "the policy has no text after its front matter")])
    known = set(_FrontMatter.model_fields)
    return Policy(
        id=front_matter.id,
        title=front_matter.title,
        domain=front_matter.domain,
        version=front_matter.version,
        effective_from=front_matter.effective_from,
        applies_to=tuple(front_matter.applies_to),
        clauses=tuple(front_matter.clauses),
        approval_rules=tuple(front_matter.approval_rules),
        deadlines=tuple(front_matter.deadlines),
        deadline_factors=tuple(front_matter.deadline_factors),
        extra={k: v for k, v in data.items() if k not in known},
        body=body,
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest(),
        source_text=text,
    )


def _names(condition: Condition | None, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    """The facts a condition tests, each with where it stands in the front matter."""
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [((*loc, "fact"), condition.fact)]
    if isinstance(condition, AllOf | AnyOf):
        key = "all" if isinstance(condition, AllOf) else "any"
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        return [found for i, part in enumerate(parts) for found in _names(part, (*loc, key, i))]
    return _names(condition.not_, (*loc, "not"))


def _words(mission: MissionSpec, kind: str) -> Collection[str]:
    """A mission's facts, outcomes or write tools."""
    if kind == "fact":
        return mission.vocabulary.facts.keys()
    return mission.vocabulary.outcomes if kind == "outcome" else mission.tools.keys()


def _vocabulary_problems(path: Path, root: yaml.Node, front: _FrontMatter) -> list[PolicyProblem]:
    """Each fact, outcome and tool a clause names must be a word of every mission that can retrieve the policy (a
    mission reading its domain with a case type it applies to; its own folder's mission for a mission's policy): in
    the case of one whose words do not have it, a clause naming another mission's fact would never match, or match a
    different meaning of the same name, so it is refused when the policy is read. An approval rule's and a deadline's
    tools and facts need only be some retrieving mission's (a company-wide rule names the words of each mission it
    governs)."""
    types = all_case_types() if APPLIES_TO_ALL in front.applies_to else front.applies_to
    missions = retrieving_missions(types, front.domain, path)
    if not missions:
        return []
    clauses: list[tuple[tuple[Any, ...], str, str]] = []
    for i, clause in enumerate(front.clauses):
        clauses += [(loc, "fact", fact) for loc, fact in _names(clause.when, ("clauses", i, "when"))]
        clauses.append((("clauses", i, "then", "outcome"), "outcome", clause.then.outcome))
        for j, action in enumerate(clause.then.actions):
            at = ("clauses", i, "then", "actions", j)
            clauses.append(((*at, "tool"), "tool", action.tool))
            clauses += [(loc, "fact", fact) for loc, fact in _names(action.when, (*at, "when"))]
            for key, value in action.args.items():
                clauses += [((*at, "args", key), "fact", name) for name in PLACEHOLDER.findall(str(value))]
    rules: list[tuple[tuple[Any, ...], str, str]] = []
    for i, rule in enumerate(front.approval_rules):
        rules += [(loc, "fact", fact) for loc, fact in _names(rule.when, ("approval_rules", i, "when"))]
        for field in ("approver_fact", "stand_in_fact"):
            if (fact := getattr(rule, field)) is not None:
                rules.append((("approval_rules", i, field), "fact", fact))
        rules += [(("approval_rules", i, "tools"), "tool", t) for t in rule.tools if t != "*"]
    for i, deadline in enumerate(front.deadlines):
        rules += [(loc, "fact", fact) for loc, fact in _names(deadline.when, ("deadlines", i, "when"))]
        if deadline.before is not None:
            rules.append((("deadlines", i, "before"), "fact", deadline.before))
    for i, factor in enumerate(front.deadline_factors):
        rules += [(loc, "fact", fact) for loc, fact in _names(factor.when, ("deadline_factors", i, "when"))]
    problems = []
    for (loc, kind, name), each in [*((c, True) for c in clauses), *((r, False) for r in rules)]:
        lacking = [m.name for m in missions if name not in _words(m, kind)]
        if not lacking or (not each and len(lacking) < len(missions)):
            continue
        of = [other for other, m in registry().items() if name in _words(m, kind)]
        article = "an" if kind == "outcome" else "a"
        whose = f"{article} {kind} of {', '.join(of)}" if of else f"no mission's {kind}"
        located = _locate(root, loc)
        line = located[0].start_mark.line + 2 if located else None
        problems.append(
            PolicyProblem(path, line, f"{'.'.join(map(str, loc))}: {name!r} is {whose}, not of {', '.join(lacking)}")
        )
    return problems


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers) and the plain data of one document, parsed once (libyaml if present)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _problem_from_error(path: Path, root: yaml.Node, error: Any) -> PolicyProblem | None:
    """A pydantic error located at the deepest front-matter node its ``loc`` reaches.

    None for the errors of a condition-union member the YAML did not mean (a ``{fact: ...}`` mapping is a leaf,
    not a failed ``all``), so that one mistake gives one problem.
    """
    loc = tuple(error.get("loc", ()))
    located = _locate(root, loc)
    if located is None:
        return None
    node, reached = located
    where = ".".join(str(part) for part in reached) or "front matter"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if error.get("type") == "missing":
        where = ".".join(str(part) for part in loc)
        message = "required field is missing"
    return PolicyProblem(path, node.start_mark.line + 2, f"{where}: {message}")


def _locate(root: yaml.Node, loc: Sequence[Any]) -> tuple[yaml.Node, list[Any]] | None:
    """Follow a pydantic error location through the YAML node tree; None if it runs through the wrong union member."""
    node = root
    reached: list[Any] = []
    for part in loc:
        if part in _CONDITION_KEYS:
            keys = {k.value for k, _ in node.value} if isinstance(node, yaml.MappingNode) else set()
            meant = next((tag for tag, key in _CONDITION_KEYS.items() if key in keys), "Leaf")
            if part != meant:
                return None
            continue
        if isinstance(node, yaml.MappingNode):
            key = "not" if part == "not_" else part
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
            if match is None:
                continue
            node = match[1]
            reached.append(part)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            reached.append(part)
    return node, reached


def _front_line(path: Path, *loc: str | int) -> int | None:
    """The line of a front-matter node (``"id"``, or ``"clauses", 0, "overrides"``) in a file that parsed."""
    try:
        front, _, _ = _split_front_matter(path, path.read_text(encoding="utf-8"))
        node, _ = _compose_and_construct(front)
    except (OSError, yaml.YAMLError, _Invalid):
        return None
    located = _locate(node, loc) if node is not None else None
    return int(located[0].start_mark.line) + 2 if located and located[1] else None


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the text under it (subsections included), the unit of indexing."""

    heading: str
    text: str
    #: Position in the document, from 0.
    index: int


def sections(policy: Policy) -> list[Section]:
    """Split a policy body at its ``#``/``##`` headings; ``###`` and deeper stay inside their section.

    Text before the first ``##`` heading (under the ``#`` title) becomes an "Overview" section. Headings inside
    fenced code blocks are ignored.
    """
    parts: list[tuple[str, list[str]]] = [("Overview", [])]
    fenced = False
    seen_heading = False
    for line in policy.body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match is None:
            parts[-1][1].append(line)
            continue
        is_title = len(match.group(1)) == 1 and not seen_heading and not "".join(parts[-1][1]).strip()
        seen_heading = True
        if not is_title:  # the document's "# Title" line: what follows it is the overview
            parts.append((match.group(2).strip(), []))
    result: list[Section] = []
    for heading, lines in parts:
        text = "\n".join(lines).strip()
        if text:
            result.append(Section(heading, text, len(result)))
    return result
