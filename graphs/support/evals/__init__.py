"""The support mission's eval plugin: the harness dataset (the seeded helpdesk book's open tickets, replayed
through the real systems), the tables its end state is compared on and its thresholds. The 600 recorded tickets
(``data/recorded.jsonl.gz``) and their CI slice are recorded sets (``missions eval recorded --mission support``):
each decided by the plugin's decider (:mod:`.recorded`, also the way the tau-bench retail adapter of the eval layer
reaches the mission) and scored by ``support_recorded`` (:mod:`.scoring`); the importer is :mod:`.importer`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.evals.generate import read
from ai_missions.graphs.support.evals.scoring import SUPPORT_RECORDED
from ai_missions.mission_api import EvalPlugin, ValidationError, holds_row

DATA = Path(__file__).resolve().parent / "data"
CI_BOOK = DATA / "ci_book.jsonl.gz"
#: Written from the SUP policies alone, outside the book and its labeller (see :mod:`.holdout`); reported apart.
HOLDOUT = DATA / "holdout.jsonl.gz"

#: table -> (system, query): what a resolution leaves (generated ids, timestamps and free text left out).
PROJECTION: dict[str, tuple[str, str]] = {
    "helpdesk.tickets": ("helpdesk", "SELECT ticket_id, status FROM tickets ORDER BY ticket_id"),
    "helpdesk.replies": (
        "helpdesk",
        "SELECT ticket_id, count(*) FROM ticket_messages WHERE direction = 'outbound' GROUP BY ticket_id "
        "ORDER BY ticket_id",
    ),
    "payments.refunds": (
        "payments",
        "SELECT capture_id, amount_cents, count(*) FROM refunds GROUP BY capture_id, amount_cents "
        "ORDER BY capture_id, amount_cents",
    ),
    "payments.authorizations": (
        "payments",
        "SELECT authorization_id, status FROM authorizations ORDER BY authorization_id",
    ),
    "erp.orders": ("erp", "SELECT order_id, status FROM orders ORDER BY order_id"),
}


def _generate(
    *, out: Path | None = None, slice_out: Path | None = None, seeds: Sequence[int] | None = None
) -> Mapping[str, Any]:
    """The CI book set written again from one seeded book (it has no slice of its own)."""
    # deferred: start-up time (seeding the books with the simulator, which listing the datasets does not need)
    from ai_missions.graphs.support.evals.book_cases import generate

    if slice_out is not None or len(seeds or ()) > 1:
        raise ValidationError("the support book set is written from one book: it takes no slice and one seed")
    return generate(out, *(seeds or ()))


PLUGIN = EvalPlugin(
    mission="support",
    datasets={"ci": CI_BOOK, "holdout": HOLDOUT},
    projection=PROJECTION,
    holds_subject=holds_row("helpdesk", "tickets", "ticket_id"),
    thresholds={
        "outcome_agreement": 0.80,
        "errors": 0,
    },
    generator=_generate,
    # a recorded ticket decided as the graph decides it after its reads (the tau-bench retail adapter's way in)
    decider=lambda mission, case: _recorded().decide(case, mission),
    recorded={"recorded": DATA / "recorded.jsonl.gz", "ci": DATA / "ci_slice.jsonl.gz"},
    recorded_reader=read,
    recorded_scorers=(SUPPORT_RECORDED.name,),
    # a recorded ticket as the ``recorded`` environment holds it: the graph runs over it (missions eval run)
    recorded_systems=lambda case: _recorded().RecordedSystems(case),
    recorded_trigger=lambda case: _recorded().trigger(case),
)


def _recorded() -> Any:
    # deferred: start-up time (the recorded reader imports the support graph's gather: LangGraph and the reader's
    # lexicon, which listing the mission's datasets does not need)
    from ai_missions.graphs.support.evals import recorded

    return recorded
