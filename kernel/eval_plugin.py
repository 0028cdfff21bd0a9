"""What a mission brings to the evaluation harness (``MissionSpec.evals`` names an :class:`EvalPlugin`).

The harness is the same for every mission: a :class:`~ai_missions.evals.harness.Task` replays a dataset's cases
through the mission (the solver) in sandboxes, and runs scorers over each result. The plugin says where the
mission's datasets are, which tables its end state is compared on, which scorers apply (the registry's defaults
plus its own), how to tell a snapshot holds the case's subject, and the bounds its CI run must stay within (each
metric's direction is declared once, in :data:`DIRECTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ai_missions.kernel.errors import NotFoundError, ValidationError
from ai_missions.kernel.missions import MissionSpec, get_mission

#: Scorers every decision mission is scored with (see :mod:`ai_missions.evals.scorers`).
DEFAULT_SCORERS: tuple[str, ...] = (
    "outcome",
    "actions",
    "safety",
    "escalation",
    "citations",
    "end_state",
    "latency",
    "usage",
)

#: ``min``: the metric must reach the bound (a rate of getting it right); ``max``: it must stay at or under it.
Direction = Literal["min", "max"]

#: Which way each gated metric of the harness's scorers is better; a plugin declares the direction of its own
#: scorers' metrics in :attr:`EvalPlugin.directions`.
DIRECTIONS: Mapping[str, Direction] = {
    "outcome_agreement": "min",
    "action_f1": "min",
    "state_match_rate": "min",
    "citation_rate": "min",
    "warranted_escalation_rate": "min",
    "unsafe_case_rate": "max",
    "detection_precision": "min",
    "detection_false_positive_rate": "max",
    "errors": "max",
}


def holds_row(system: str, table: str, key: str) -> Callable[[Mapping[str, Any], str], bool]:
    """A :attr:`EvalPlugin.holds_subject` for a subject that is a row: the snapshot's ``system.table`` has a row
    whose ``key`` is the subject id."""

    def holds(snapshot: Mapping[str, Any], subject_id: str) -> bool:
        rows = (snapshot.get("systems", {}).get(system) or {}).get(table, [])
        return any(row.get(key) == subject_id for row in rows)

    return holds


class Generator(Protocol):
    """Regenerates a mission's generated datasets (``missions eval generate``): what was written, with ``cases``,
    ``path``, ``ci_slice`` and ``ci_slice_path``."""

    def __call__(
        self, *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
    ) -> Mapping[str, Any]: ...


#: ``(export, mapping, home) -> cases``: a resolved-cases export read as cases.
Importer = Callable[[Path, Path, Path], Sequence[Any]]
#: ``(snapshot, subject_id, case_types) -> actions``: what the team's own rules call for on a case's records.
Rulebook = Callable[[Mapping[str, Any], str, Sequence[str]], Iterable[Mapping[str, Any]]]
#: ``(subject_id, home) -> snapshot``: the records around one subject as they stand now.
Snapshotter = Callable[[str, Path], dict[str, Any]]
#: ``(mission, case) -> (facts, verdict)``: the mission's decision on one recorded case.
Decider = Callable[[MissionSpec, Mapping[str, Any]], tuple[Mapping[str, Any], Mapping[str, Any]]]
#: ``(path) -> cases``: a recorded set's cases.
RecordedReader = Callable[[Path], Iterable[Mapping[str, Any]]]

#: The parts a plugin hands over as functions (each held by the mission's own package, never named by a string).
PARTS = (
    "holds_subject",
    "generator",
    "importer",
    "rulebook",
    "snapshotter",
    "decider",
    "recorded_reader",
    "recorded_systems",
    "recorded_trigger",
)


def check_parts(owner: str, record: object, parts: Iterable[str]) -> None:
    """A one-line ValidationError for the first of ``parts`` of ``record`` that is not a function (or None): a
    mission hands its parts over as the objects themselves, never as ``"module:attribute"`` strings."""
    for part in parts:
        value = getattr(record, part)
        if value is not None and not callable(value):
            how = f"names it by a string ({value!r})" if isinstance(value, str) else f"gives {type(value).__name__}"
            raise ValidationError(f"{owner}: its {part} {how}: hand over the function itself")


@dataclass(frozen=True)
class EvalPlugin:
    mission: str
    #: Named datasets (``historical``, ``ci``, ``handmade``...); the first is the default.
    datasets: Mapping[str, Path]
    #: End state compared after replay: table label -> what the environment's view reads for it (the books: a
    #: (system, SQL returning the relevant rows in a stable order)).
    projection: Mapping[str, Any]
    #: ``(snapshot, subject_id) -> bool``: the snapshot holds the subject's records.
    holds_subject: Callable[[Mapping[str, Any], str], bool]
    scorers: tuple[str, ...] = DEFAULT_SCORERS
    #: The regression gate on the CI dataset: metric -> bound, a floor or a ceiling by the metric's direction.
    thresholds: Mapping[str, float] = field(default_factory=dict)
    #: The direction of the plugin's own scorers' gated metrics (the harness's are in :data:`DIRECTIONS`).
    directions: Mapping[str, Direction] = field(default_factory=dict)
    #: Regenerates the generated datasets (``missions eval generate``).
    generator: Generator | None = None
    #: Imports a resolved-cases export (``missions eval import``).
    importer: Importer | None = None
    #: What the team's own rules call for on a case's records. A recorded decision tagged ``noise:...``
    #: contradicts those rules, so the safety scorer judges irreversible actions against this instead (the facts,
    #: not the slip).
    rulebook: Rulebook | None = None
    #: The records around one subject as they stand now, so a reviewer's decision is kept as a case with the systems
    #: it was taken on (:mod:`ai_missions.services.reviewed`).
    snapshotter: Snapshotter | None = None
    #: The mission's decision on one case in the shape of its recorded cases, read by the steps the graph runs after
    #: its reads (benchmark adapters call it through :meth:`decide`, never through the mission's modules).
    decider: Decider | None = None
    #: Recorded sets: name -> file of cases kept with what the mission reads rather than a snapshot of its systems,
    #: each decided by :attr:`decider` and scored by :attr:`recorded_scorers` (``missions eval recorded``); the
    #: first is the default.
    recorded: Mapping[str, Path] = field(default_factory=dict)
    #: A recorded set's cases (mappings, each with a ``case_id`` and the ``resolution`` the people reached).
    recorded_reader: RecordedReader | None = None
    #: The scorers of the recorded sets (harness plug-ins the plugin's module registers).
    recorded_scorers: tuple[str, ...] = ()
    #: ``(case) -> reads``: what answers the reads of one recorded case (an object with ``async call(tool, args)``),
    #: so the ``recorded`` environment holds it and the mission's graph decides it like any case.
    recorded_systems: Callable[[Mapping[str, Any]], Any] | None = None
    #: ``(case) -> trigger``: a recorded case's trigger (``system``, ``event``, ``subject_id``, ``case_types``).
    recorded_trigger: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        check_parts(f"the {self.mission} eval plugin", self, PARTS)
        if unknown := [m for m in self.thresholds if m not in DIRECTIONS and m not in self.directions]:
            raise ValidationError(
                f"the {self.mission} eval plugin bounds {', '.join(unknown)} without a direction: declare it in "
                "directions (min or max)"
            )

    @property
    def gates(self) -> dict[str, tuple[Direction, float]]:
        """The regression gate: metric -> (direction, bound)."""
        return {m: (self.directions.get(m) or DIRECTIONS[m], bound) for m, bound in self.thresholds.items()}

    def gaps(self, metrics: Mapping[str, Any]) -> list[str]:
        """The gated metrics a run's overall ``metrics`` miss (or lack), each as ``metric = value (min bound)``."""
        out = []
        for metric, (direction, bound) in self.gates.items():
            value = metrics.get(metric)
            if value is None or (value < bound if direction == "min" else value > bound):
                out.append(f"{metric} = {value} ({direction} {bound})")
        return out

    def generate(
        self, *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
    ) -> Mapping[str, Any]:
        """The generated datasets written again (a NotFoundError when the mission has no generator)."""
        if self.generator is None:
            raise NotFoundError(f"the {self.mission} mission has no generator")
        return self.generator(out=out, slice_out=slice_out, seeds=seeds)

    def import_cases(self, export: Path, mapping: Path, home: Path) -> list[Any]:
        """A resolved-cases export as cases (a NotFoundError when the mission has no importer)."""
        if self.importer is None:
            raise NotFoundError(f"the {self.mission} mission has no importer")
        return list(self.importer(export, mapping, home))

    def decide(self, case: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The mission's facts and verdict on ``case`` (a :class:`~ai_missions.errors.NotFoundError` when the
        mission declares no decider)."""
        if self.decider is None:
            raise NotFoundError(f"the {self.mission} mission declares no decider for recorded cases")
        facts, verdict = self.decider(get_mission(self.mission), case)
        return dict(facts), dict(verdict)

    def recorded_cases(self, dataset: str | Path | None = None) -> tuple[Path, list[Mapping[str, Any]]]:
        """A recorded set (named, or a file) and its cases, read by the plugin's reader."""
        if self.recorded_reader is None or not self.recorded:
            raise NotFoundError(f"the {self.mission} mission keeps no recorded sets")
        if isinstance(dataset, Path) or (dataset is not None and dataset not in self.recorded):
            path = Path(dataset)
            if not path.exists():
                known = ", ".join(self.recorded)
                raise NotFoundError(f"no recorded set {dataset!r} of the {self.mission} mission (known: {known})")
        else:
            path = self.recorded[dataset or next(iter(self.recorded))]
        return path, list(self.recorded_reader(path))

    def snapshot_subject(self, subject_id: str, home: Path) -> dict[str, Any] | None:
        """The systems around ``subject_id`` now (None when the mission declares no snapshotter)."""
        if self.snapshotter is None:
            return None
        return self.snapshotter(subject_id, home)

    def rulebook_actions(self, snapshot: Mapping[str, Any], subject_id: str, case_types: Any) -> list[Any] | None:
        """The actions the rule book calls for on these records (None when the mission declares no rule book)."""
        if self.rulebook is None:
            return None
        return list(self.rulebook(snapshot, subject_id, list(case_types)))

    def dataset(self, name: str | None = None) -> Path:
        """A named dataset (the first when ``name`` is None)."""
        key = name or next(iter(self.datasets))
        try:
            return self.datasets[key]
        except KeyError:
            raise NotFoundError(
                f"the {self.mission} mission has no dataset {key!r} (known: {', '.join(self.datasets)})"
            ) from None


def plugin_of(mission: str) -> EvalPlugin:
    """The eval plugin of a registered mission."""

    return get_mission(mission).eval_plugin()
