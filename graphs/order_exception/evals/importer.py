"""Import recorded exceptions from the outside: a CSV or JSON export of historical orders and their resolutions
(from an order-management system, a ticketing tool...) becomes cases, through a column mapping.

The mapping is a JSON file::

    {
      "columns": {                          # case field -> column of the export (case_id and snapshot optional)
        "case_id": "ticket_id", "order_id": "order_number", "recorded_at": "closed_at",
        "outcome": "resolution", "actions": "actions", "decided_by": "agent", "note": "comment",
        "exception_types": "exception", "snapshot": "snapshot_file"
      },
      "outcome_values": {"approved": "proceed", "on hold": "hold", "cancelled": "cancel", "escalated": "escalate"},
      "exception_values": {"fraud review": "payment_review", "double charge": "double_charge"},
      "actions_format": "steps",            # or "json": a JSON list of {"tool": ..., "args": {...}}
      "trigger": {"system": "erp", "event": "imported"}
    }

``steps`` actions are ``tool key=value ...`` separated by ``;`` (numbers are read as numbers), e.g.
``refund_payment capture_id=CAP-000012 amount=76.02; send_customer_message customer_id=C-10009 ...``.
Several exception types in one cell are separated by ``+`` or ``,``. The ``snapshot`` column holds a snapshot
file (relative to the export) or inline JSON; without it, each order's snapshot is exported from the book under
``MISSIONS_HOME`` (load the systems' state of the time first with ``missions systems import``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from ai_missions.evals.api import Case, describe_error
from ai_missions.graphs.order_exception.vocabulary import EXCEPTION_TYPES, OUTCOMES
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.snapshot import export_snapshot, read_snapshot
from ai_missions.mission_api import NotFoundError, ValidationError

REQUIRED = ("order_id", "recorded_at", "outcome", "actions", "decided_by")
OPTIONAL = ("case_id", "note", "exception_types", "snapshot")


class Mapping_(BaseModel):
    """The column mapping of an export (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str]
    outcome_values: dict[str, str] = Field(default_factory=dict)
    exception_values: dict[str, str] = Field(default_factory=dict)
    actions_format: str = "steps"
    trigger: dict[str, str] = Field(default_factory=lambda: {"system": "erp", "event": "imported"})


def read_mapping(path: Path) -> Mapping_:
    if not path.exists():
        raise NotFoundError(f"no mapping file {path}")
    try:
        mapping = Mapping_.model_validate_json(path.read_text())
    except PydanticValidationError as exc:
        raise ValidationError(f"{path.name}: {describe_error(exc)}") from None
    missing = [f for f in REQUIRED if f not in mapping.columns]
    unknown = [f for f in mapping.columns if f not in (*REQUIRED, *OPTIONAL)]
    if missing or unknown:
        raise ValidationError(
            f"{path.name}: columns must map {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)});"
            + (f" missing {', '.join(missing)}" if missing else "")
            + (f" unknown {', '.join(unknown)}" if unknown else "")
        )
    bad = {k: v for k, v in mapping.outcome_values.items() if v not in OUTCOMES}
    if bad:
        raise ValidationError(f"{path.name}: outcome_values must map to {', '.join(OUTCOMES)}; got {bad}")
    if mapping.actions_format not in ("steps", "json"):
        raise ValidationError(f"{path.name}: actions_format is 'steps' or 'json'")
    return mapping


def read_export(path: Path) -> pd.DataFrame:
    """The export as a frame of strings (CSV, a JSON array of records, or JSON lines)."""
    if not path.exists():
        raise NotFoundError(f"no export file {path}")
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        return pd.read_json(path, dtype=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValidationError(f"{path.name}: cannot read it as {path.suffix.lstrip('.') or 'JSON'}: {exc}") from None


def _number(text: str) -> Any:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def parse_steps(text: str) -> list[dict[str, Any]]:
    """``tool key=value key="two words"; tool2 ...`` -> ``[{"tool": ..., "args": {...}}, ...]``."""
    actions = []
    for step in filter(None, (s.strip() for s in str(text).split(";"))):
        tool, _, rest = step.partition(" ")
        args = {}
        for match in re.finditer(r'(\w+)=("([^"]*)"|\S+)', rest):
            key, raw, quoted = match.group(1), match.group(2), match.group(3)
            args[key] = quoted if quoted is not None else _number(raw)
        actions.append({"tool": tool, "args": args})
    return actions


def _value(row: Mapping[str, Any], mapping: Mapping_, field: str) -> Any:
    column = mapping.columns.get(field)
    if column is None:
        return None
    if column not in row:
        raise ValidationError(f"the export has no column {column!r} (mapped from {field})")
    value = row[column]
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _types(raw: Any, mapping: Mapping_) -> list[str]:
    if raw in (None, ""):
        return []
    items = raw if isinstance(raw, list) else re.split(r"[+,]", str(raw))
    types = []
    for item in (str(i).strip() for i in items if str(i).strip()):
        mapped = mapping.exception_values.get(item, mapping.exception_values.get(item.lower(), item))
        if mapped not in EXCEPTION_TYPES:
            raise ValidationError(f"exception type {item!r} is not mapped (map it in exception_values)")
        types.append(mapped)
    return sorted(set(types), key=EXCEPTION_TYPES.index)


class _Snapshots:
    """Where each row's snapshot comes from: its column (a file or inline JSON), or the book under a home."""

    def __init__(self, base: Path, home: Path | None) -> None:
        self.base, self.home = base, home
        self._scan: dict[str, list[str]] | None = None

    def get(self, raw: Any, order_id: str) -> dict[str, Any]:
        if isinstance(raw, dict):
            return read_snapshot(raw)
        if isinstance(raw, str) and raw.strip():
            text = raw.strip()
            return read_snapshot(text if text.startswith("{") else self.base / text)
        return export_snapshot([order_id], self.home)

    def types(self, order_id: str) -> list[str]:
        if self._scan is None:
            self._scan = {row.order_id: list(row.types) for row in scan_exceptions(self.home)}
        return self._scan.get(order_id, [])


def import_cases(export: Path, mapping_path: Path, home: Path | None = None) -> list[Case]:
    """Every row of ``export`` as a validated case; the first bad row raises naming its row number and id."""
    mapping = read_mapping(mapping_path)
    frame = read_export(export)
    snapshots = _Snapshots(export.parent, home)
    cases = []
    for number, row in enumerate(frame.to_dict(orient="records"), start=1):
        ident = ""
        try:
            order_id = str(_value(row, mapping, "order_id") or "").strip()
            ident = str(_value(row, mapping, "case_id") or f"{export.stem}-{number}-{order_id}")
            raw_outcome = str(_value(row, mapping, "outcome") or "").strip()
            outcome = mapping.outcome_values.get(
                raw_outcome, mapping.outcome_values.get(raw_outcome.lower(), raw_outcome)
            )
            raw_actions = _value(row, mapping, "actions") or ""
            if mapping.actions_format == "json":
                actions = raw_actions if isinstance(raw_actions, list) else json.loads(raw_actions or "[]")
            else:
                actions = parse_steps(raw_actions)
            snapshot_column = mapping.columns.get("snapshot")
            snapshot = snapshots.get(_value(row, mapping, "snapshot") if snapshot_column else None, order_id)
            types = _types(_value(row, mapping, "exception_types"), mapping)
            if not types and not snapshot_column:
                types = snapshots.types(order_id)
            case = Case.model_validate(
                {
                    "case_id": ident,
                    "mission": "order-exception",
                    "recorded_at": _value(row, mapping, "recorded_at"),
                    "trigger": {**mapping.trigger, "subject_id": order_id, "case_types": types},
                    "snapshot": snapshot,
                    "resolution": {
                        "outcome": outcome,
                        "actions": actions,
                        "decided_by": str(_value(row, mapping, "decided_by") or ""),
                        "note": str(_value(row, mapping, "note") or ""),
                    },
                    "tags": ["imported"],
                }
            )
        except PydanticValidationError as exc:
            raise ValidationError(f"{export.name}: row {number} ({ident}): {describe_error(exc)}") from None
        except (ValidationError, NotFoundError, json.JSONDecodeError) as exc:
            raise ValidationError(f"{export.name}: row {number} ({ident}): {exc}") from None
        cases.append(case)
    _unique(cases, export.name)
    return cases


def _unique(cases: Iterable[Case], name: str) -> None:
    seen: set[str] = set()
    for case in cases:
        if case.case_id in seen:
            raise ValidationError(f"{name}: case_id {case.case_id!r} appears twice")
        seen.add(case.case_id)
