"""The at-risk account mission, as the platform sees it (registered under ``ai_missions.kernel.missions``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ai_missions.graphs.account_save import prompts
from ai_missions.graphs.account_save.invariants import invariants
from ai_missions.graphs.account_save.questions import question_for
from ai_missions.graphs.account_save.tools import TOOLS
from ai_missions.graphs.account_save.trigger import TRIGGER
from ai_missions.graphs.account_save.vocabulary import VOCABULARY
from ai_missions.mission_api import Facts, Mission, MissionSpec, Subject

if TYPE_CHECKING:
    from langgraph.graph import StateGraph
    from pydantic import BaseModel

    from ai_missions.mission_api import EvalPlugin

_HERE = Path(__file__).resolve().parent

#: The demo owners and managers of the seeded book (sign-in names are owner ids).
OWNERS = ("ava", "ben", "cara", "dan", "eve", "finn", "gia", "hugo", "ines", "jon", "kim", "leo")
MANAGERS = ("maya", "noah")


def _graph(mission: MissionSpec) -> StateGraph[Any, Any, Any, Any]:
    # deferred: start-up time (LangGraph and the gather step, 1.2-1.6 s, which listing missions does not need)
    from ai_missions.graphs.account_save.graph import build_graph

    return build_graph(mission)


def _evals() -> EvalPlugin:
    # deferred: start-up time (the plugin registers its scorers with the harness, about 0.2 s)
    from ai_missions.graphs.account_save.evals import PLUGIN

    return PLUGIN


SPEC: Mission[BaseModel, Facts] = Mission(
    name="account-save",
    title="At-risk accounts",
    description="Every morning, score the whole book of B2B accounts, reason about the flagged ones against the "
    "playbooks, and draft what each account's owner should do; outreach waits for that owner's sign-off.",
    subject=Subject(
        kind="account", example="ACC-10007", pattern=r"ACC-[0-9]{4,12}", lookup=("get_account", "account_id")
    ),
    systems=("accounts",),
    vocabulary=VOCABULARY,
    tools=TOOLS,
    invariants=invariants,
    question=question_for,
    graph=_graph,
    prompt=prompts,
    trigger=TRIGGER,
    evals=_evals,
    policies=_HERE / "policies",
    reviewers={**dict.fromkeys(OWNERS, "account_owner"), **dict.fromkeys(MANAGERS, "account_manager")},
    pages={"Morning brief": _HERE / "brief_page.py"},
    schedule=("0 7 * * 1-5", "Europe/Berlin"),  # each weekday morning, before the team starts
)
