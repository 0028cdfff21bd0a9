"""What every generated historical set shares: a deterministic draw per case, the case record, a stratified CI
slice, and writing the set with its slice.

A mission's generator only says how its books are seeded, which subjects make cases and how a team labels them
(its ``labeller``); the rest is here, so that two generators that write the same kind of set write it the same way.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ai_missions.kernel.cases import Case, write_cases

#: A hand-written scenario's staging function (each set's own signature).
Stage = TypeVar("Stage", bound=Callable[..., Any])


class Scenarios(list[tuple[str, str, Callable[[Mapping[str, Any]], bool], Stage]]):
    """A hand-written set's scenarios, in the order they are written (the order of the set's cases): each its name,
    the kind of generated case it is staged on, which of those cases it accepts and the function that stages it.
    ``scenario = SCENARIOS.add`` is the decorator a set's module writes its scenarios under."""

    def add(
        self, name: str, kind: str, base: Callable[[Mapping[str, Any]], bool] = lambda case: True
    ) -> Callable[[Stage], Stage]:
        """Register a scenario staged on the first untouched generated case of ``kind`` that ``base`` accepts."""

        def register(stage: Stage) -> Stage:
            self.append((name, kind, base, stage))
            return stage

        return register


class Labelled(Protocol):
    """What a labeller gives for a case: the team's resolution and analysis tags."""

    tags: list[str]

    def resolution(self) -> dict[str, Any]: ...


def keyed_rng(key: str, *, hex_digits: int = 12) -> random.Random:
    """A random stream fixed by ``key`` alone (not by the order cases are made in): the same case draws the same
    numbers in every run, so a set regenerates byte for byte."""
    return random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:hex_digits], 16))


def recorded_case(
    *,
    case_id: str,
    mission: str,
    recorded_at: datetime | str,
    trigger: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    labelled: Labelled,
    tags: Sequence[str] = (),
) -> Case:
    """One labelled case, validated as the harness reads it: a generated one, or a hand-written scenario's (its
    :class:`~ai_missions.evals.labels.Label` what its author would sign). ``recorded_at`` as a datetime or as a
    snapshot's timestamp."""
    return Case.model_validate(
        {
            "case_id": case_id,
            "mission": mission,
            "recorded_at": recorded_at,
            "trigger": dict(trigger),
            "snapshot": snapshot,
            "resolution": labelled.resolution(),
            "tags": [*labelled.tags, *tags],
        }
    )


def decided_after(now: datetime, case_id: str, *, most_minutes: int) -> datetime:
    """When the team recorded the case: between 20 minutes and ``most_minutes`` after the book's now, fixed by the
    case's id."""
    return now + timedelta(minutes=keyed_rng(case_id).randint(20, most_minutes))


def stratified_slice(cases: Iterable[Case], per_kind: int, *, every_outcome: bool = False) -> list[Case]:
    """The first ``per_kind`` cases (by id) of every combination of case types; with ``every_outcome``, enough more
    that each outcome the labeller used appears ``per_kind`` times too (a rare outcome belongs to no one kind)."""
    by_kind: dict[str, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.case_id):
        by_kind.setdefault(case.kind, []).append(case)
    ordered = [case for kind in sorted(by_kind) for case in by_kind[kind]]
    chosen = [case for kind in sorted(by_kind) for case in by_kind[kind][:per_kind]]
    if every_outcome:
        for outcome in sorted({c.resolution.outcome for c in ordered}):
            have = sum(1 for c in chosen if c.resolution.outcome == outcome)
            more = [c for c in ordered if c.resolution.outcome == outcome and c not in chosen]
            chosen.extend(more[: max(per_kind - have, 0)])
    return chosen


@dataclass(frozen=True)
class GeneratedSet:
    """A mission's generated historical set: how its cases are made from seeds and a size, where the set and its
    CI slice are shipped, and how the slice is drawn. ``generate`` is what ``missions eval generate`` calls."""

    #: The shipped set and its CI slice.
    shipped: tuple[Path, Path]
    seeds: tuple[int, ...]
    size: int
    #: ``(seeds, size) -> cases``.
    make: Callable[[Sequence[int], int], list[Case]]
    per_kind: int
    #: The slice holds every outcome ``per_kind`` times too.
    every_outcome: bool = False

    def ci_slice(self, cases: Iterable[Case]) -> list[Case]:
        return stratified_slice(cases, self.per_kind, every_outcome=self.every_outcome)

    def generate(
        self,
        out: Path | None = None,
        slice_out: Path | None = None,
        seeds: Sequence[int] | None = None,
        orders: int | None = None,
    ) -> dict[str, int | str]:
        """Write the set and its CI slice: by default over the shipped pair; a set written elsewhere gets its slice
        beside it (``<name>-ci.jsonl.gz``). ``orders`` is the size (the eval command's name for it). Returns what
        was written, as ``missions eval generate`` prints it."""
        historical, ci = self.shipped
        out = out or historical
        slice_out = slice_out or (ci if out == historical else out.with_name(f"{out.name.split('.')[0]}-ci.jsonl.gz"))
        cases = self.make(seeds or self.seeds, orders or self.size)
        written = write_cases(cases, out)
        sliced = write_cases(self.ci_slice(cases), slice_out)
        return {"cases": written, "path": str(out), "ci_slice": sliced, "ci_slice_path": str(slice_out)}


def from_scratch_books(
    seeds: Sequence[int],
    size: int,
    *,
    seed_book: Callable[[int, int, Path], object],
    cases_of_book: Callable[[Path, int], list[Case]],
    prefix: str,
) -> list[Case]:
    """Seed one book per seed in a scratch home (never ``MISSIONS_HOME``) and take its cases."""
    cases: list[Case] = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
            home = Path(scratch)
            seed_book(size, seed, home)
            cases.extend(cases_of_book(home, seed))
    return cases
