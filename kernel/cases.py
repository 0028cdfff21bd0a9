"""Recorded cases: the case format, validated on load with one clear error per bad line, for any mission.

A case is one JSON line::

    {"case_id": "s11-SO-100245", "mission": "order-exception", "recorded_at": "2026-03-16T18:20:00Z",
     "trigger": {"system": "payments", "event": "fraud_hold", "subject_id": "SO-100245",
                 "case_types": ["payment_review"]},                         # case_types: optional
     "snapshot": {"format": "ai-missions/snapshot@1", ...},                 # `missions systems export`
     "resolution": {"outcome": "proceed", "actions": [{"tool": "release_payment_hold",
                                                       "args": {"order_id": "SO-100245"}}, ...],
                    "decided_by": "omar", "note": "long-standing customer, moved last week"},
     "tags": ["judgment:..."]}                                              # optional, for analysis only

``mission`` names a registered mission; its vocabulary and tool policy validate the rest. ``resolution`` is what
the people decided: an outcome of the mission and the ordered state-changing actions they took, with the tools'
own argument names. ``escalate`` means the case went up to someone senior and its record holds no actions.
(The first order cases wrote ``trigger.order_id`` and ``trigger.exception_types``; both are still read.)
Files are ``.jsonl`` or ``.jsonl.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from ai_missions.kernel.environment import simulated_environment
from ai_missions.kernel.errors import MissionsError, NotFoundError, ValidationError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import ESCALATE, MissionSpec, get_mission, mission_names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trigger(_Strict):
    """What raised the case: the system, its event and the subject."""

    system: str = Field(min_length=1, max_length=64)
    event: str = Field(min_length=1, max_length=100)
    subject_id: str = Field(min_length=1, max_length=64)
    case_types: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _first_names(cls, data: Any) -> Any:
        """The order cases' first field names (``order_id``, ``exception_types``)."""
        if isinstance(data, dict) and ("order_id" in data or "exception_types" in data):
            data = dict(data)
            if "order_id" in data:
                data.setdefault("subject_id", data.pop("order_id"))
            if "exception_types" in data:
                data.setdefault("case_types", data.pop("exception_types"))
        return data


class RecordedAction(_Strict):
    """One state-changing action the people took, as a tool call."""

    tool: str = Field(min_length=1, max_length=100)
    args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("args")
    @classmethod
    def _no_key(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in value.items() if k != "idempotency_key"}


class Resolution(_Strict):
    """What the people decided."""

    outcome: str = Field(min_length=1, max_length=64)
    actions: list[RecordedAction] = Field(default_factory=list)
    decided_by: str = Field(min_length=1, max_length=100)
    note: str = ""

    @model_validator(mode="after")
    def _escalations_hold_no_actions(self) -> Resolution:
        if self.outcome == ESCALATE and self.actions:
            raise ValueError("an escalated case records no actions (the escalation owner decides outside the record)")
        return self


class Case(_Strict):
    """One recorded case of a mission and its resolution."""

    case_id: str = Field(min_length=1, max_length=128)
    mission: str = "order-exception"
    recorded_at: datetime
    trigger: Trigger
    #: The environment the case is replayed in (:mod:`ai_missions.kernel.environment`): ``books``, whose snapshot
    #: format the simulator checks, or another registered one, which reads its own.
    environment: str = "books"
    snapshot: dict[str, Any]
    resolution: Resolution
    tags: list[str] = Field(default_factory=list)

    @field_validator("mission")
    @classmethod
    def _registered(cls, value: str) -> str:
        try:
            return get_mission(value).name
        except MissionsError:
            raise ValueError(f"unknown mission {value!r}; expected one of {', '.join(mission_names())}") from None

    @field_validator("snapshot")
    @classmethod
    def _snapshot(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if info.data.get("environment", "books") != "books":
            return value
        try:
            return simulated_environment().read_snapshot(value)
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _fits_the_mission(self) -> Case:

        spec = self.spec
        vocabulary = spec.vocabulary
        if unknown := [t for t in self.trigger.case_types if t not in vocabulary.case_types]:
            raise ValueError(
                f"trigger.case_types: unknown {unknown}; expected some of {', '.join(vocabulary.case_types)}"
            )
        if self.resolution.outcome not in vocabulary.outcomes:
            raise ValueError(
                f"resolution.outcome: {self.resolution.outcome!r} is not one of {', '.join(vocabulary.outcomes)}"
            )
        for number, action in enumerate(self.resolution.actions):
            if action.tool not in spec.tools:
                raise ValueError(f"resolution.actions.{number}.tool: {action.tool!r} is not an action of {spec.name}")
        if self.environment == "books" and not plugin_of(spec.name).holds_subject(self.snapshot, self.subject_id):
            raise ValueError(f"trigger.subject_id {self.trigger.subject_id} is not in the snapshot")
        return self

    @property
    def spec(self) -> MissionSpec:
        return get_mission(self.mission)

    @property
    def subject_id(self) -> str:
        return self.trigger.subject_id

    @property
    def kind(self) -> str:
        """The case combination, e.g. ``oversell+phantom_inventory`` (``unknown`` when not recorded)."""
        order = self.spec.vocabulary.case_types
        return "+".join(sorted(self.trigger.case_types, key=order.index)) or "unknown"

    def to_line(self) -> str:
        return self.model_dump_json(exclude_defaults=False)


def describe_error(exc: PydanticValidationError) -> str:
    """``resolution.outcome: Input should be 'proceed', ...`` for the first error (and how many more)."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def parse_case(line: str, number: int = 1) -> Case:
    """One case from one JSON line; ValidationError ``line N: field: problem`` otherwise."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"line {number}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValidationError(f"line {number}: a case is a JSON object, found {type(data).__name__}")
    try:
        return Case.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"line {number}: {describe_error(exc)}") from None


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8")


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines of a ``.jsonl`` or ``.jsonl.gz`` file."""
    if not path.exists():
        raise NotFoundError(f"no case file {path}")
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def load_cases(path: Path, *, limit: int | None = None) -> list[Case]:
    """Every case of a file, validated; the first bad line raises ValidationError naming the file and line."""
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, line in iter_lines(path):
        if limit is not None and len(cases) >= limit:
            break
        try:
            case = parse_case(line, number)
        except ValidationError as exc:
            raise ValidationError(f"{path.name}: {exc}") from None
        if case.case_id in seen:
            raise ValidationError(
                f"{path.name}: line {number}: case_id {case.case_id!r} repeats line {seen[case.case_id]}"
            )
        seen[case.case_id] = number
        cases.append(case)
    return cases


def write_cases(cases: Iterable[Case], path: Path) -> int:
    """Write cases as JSON lines (gzip when the name ends in .gz, byte-stable: no timestamp in the header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(case.to_line() + "\n" for case in cases)
    if path.suffix == ".gz":
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            out.write(text.encode())
    else:
        path.write_text(text)
    return text.count("\n")


def dataset_hash(path: Path) -> str:
    """sha256 of the dataset's content (decompressed), so the same cases hash alike however stored."""
    digest = hashlib.sha256()
    with _open_text(path) as handle:
        for line in handle:
            digest.update(line.encode())
    return digest.hexdigest()
