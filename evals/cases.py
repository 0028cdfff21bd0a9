"""Recorded exceptions: the case format, validated on load with one clear error per bad line.

A case is one JSON line::

    {"case_id": "s11-SO-100245", "mission": "order-exception", "recorded_at": "2026-03-16T18:20:00Z",
     "trigger": {"system": "payments", "event": "fraud_hold", "order_id": "SO-100245",
                 "exception_types": ["payment_review"]},                    # exception_types: optional
     "snapshot": {"format": "ai-missions/snapshot@1", ...},                 # `missions systems export --order`
     "resolution": {"outcome": "proceed", "actions": [{"tool": "release_payment_hold",
                                                       "args": {"order_id": "SO-100245"}}, ...],
                    "decided_by": "omar", "note": "long-standing customer, moved last week"},
     "tags": ["judgment:..."]}                                              # optional, for analysis only

``resolution`` is what the people decided: the outcome and the ordered state-changing actions they took, with the
tools' own argument names (``missions systems list``). ``escalate`` means the case went up to someone senior and
its record holds no actions. Files are ``.jsonl`` or ``.jsonl.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from ai_missions.errors import NotFoundError, ValidationError
from ai_missions.integrations.catalog import TOOLS_BY_NAME, WRITE_TOOLS
from ai_missions.integrations.snapshot import read_snapshot
from ai_missions.vocabulary import EXCEPTION_TYPES, Outcome

#: Where the generated historical set and the CI slice live.
DATA_DIR = Path(__file__).resolve().parent / "data"
HISTORICAL = DATA_DIR / "historical.jsonl.gz"
CI_SLICE = DATA_DIR / "ci_slice.jsonl.gz"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trigger(_Strict):
    """What raised the case: the system, its event and the order."""

    system: Literal["erp", "crm", "inventory", "payments", "shipping"]
    event: str = Field(min_length=1, max_length=100)
    order_id: str = Field(min_length=1, max_length=64)
    exception_types: list[str] = Field(default_factory=list)

    @field_validator("exception_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in EXCEPTION_TYPES]
        if unknown:
            raise ValueError(f"unknown exception types {unknown}; expected some of {', '.join(EXCEPTION_TYPES)}")
        return value


class RecordedAction(_Strict):
    """One state-changing action the people took, as a tool call."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("tool")
    @classmethod
    def _write_tool(cls, value: str) -> str:
        if value not in TOOLS_BY_NAME:
            raise ValueError(f"unknown tool {value!r}")
        if value not in WRITE_TOOLS:
            raise ValueError(f"{value} is a read, not an action")
        return value

    @field_validator("args")
    @classmethod
    def _no_key(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in value.items() if k != "idempotency_key"}


class Resolution(_Strict):
    """What the people decided."""

    outcome: Outcome
    actions: list[RecordedAction] = Field(default_factory=list)
    decided_by: str = Field(min_length=1, max_length=100)
    note: str = ""

    @model_validator(mode="after")
    def _escalations_hold_no_actions(self) -> Resolution:
        if self.outcome == "escalate" and self.actions:
            raise ValueError("an escalated case records no actions (the escalation owner decides outside the record)")
        return self


class Case(_Strict):
    """One recorded exception and its resolution."""

    case_id: str = Field(min_length=1, max_length=128)
    mission: Literal["order-exception"] = "order-exception"
    recorded_at: datetime
    trigger: Trigger
    snapshot: dict[str, Any]
    resolution: Resolution
    tags: list[str] = Field(default_factory=list)

    @field_validator("snapshot")
    @classmethod
    def _snapshot(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            return read_snapshot(value)
        except ValidationError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _order_in_snapshot(self) -> Case:
        orders = {o.get("order_id") for o in self.snapshot["systems"]["erp"].get("orders", [])}
        if self.trigger.order_id not in orders:
            raise ValueError(f"trigger.order_id {self.trigger.order_id} is not in the snapshot")
        return self

    @property
    def order_id(self) -> str:
        return self.trigger.order_id

    @property
    def kind(self) -> str:
        """The exception combination, e.g. ``oversell+phantom_inventory`` (``unknown`` when not recorded)."""
        return "+".join(sorted(self.trigger.exception_types, key=EXCEPTION_TYPES.index)) or "unknown"

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
