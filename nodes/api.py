"""The declared API a mission's graph, gather step and fact builders import: the platform's standard graph around
the mission's gather, the systems of a run (over MCP) and the first read of its subject, observations for the Explain
rail, the state they read and write, the decision on a case's facts a recorded decider takes after the mission's
own gather step (:func:`decide`: the graph's offline reasoner and guard), and the reading layer that turns what
people wrote into facts with their evidence. With :mod:`ai_missions.mission_api` (the declaration's names), all a
mission's steps import of the platform."""

from __future__ import annotations

from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.decision import decide, mission_policies
from ai_missions.nodes.observe import observe, read_findings
from ai_missions.nodes.pipeline import exported_graph, mission_graph
from ai_missions.nodes.read_back import read_back
from ai_missions.nodes.reading import (
    READ,
    THRESHOLD,
    UNEXPLAINED,
    Fact,
    Reading,
    Source,
    Text,
    noting,
    place_texts,
    read,
    read_facts,
    read_in_order,
    unexplained_facts,
)
from ai_missions.nodes.reading.languages import foreign_words
from ai_missions.nodes.reading.lexicon import default as lexicon
from ai_missions.nodes.reading.lexicon import english_word
from ai_missions.nodes.reading.lexicon import fold as folded
from ai_missions.nodes.reading.offline import OfflineReader, amounts, polarity
from ai_missions.nodes.reading.similarity import closeness
from ai_missions.nodes.reading.statements import Statement
from ai_missions.nodes.reading.statements import analyse as statements
from ai_missions.nodes.reading.typed import reading_model, typed
from ai_missions.nodes.resources import systems_of
from ai_missions.nodes.state import MissionState, Observation, Verdict
from ai_missions.nodes.subject import read_subject
from ai_missions.services.gateway import SystemError_

__all__ = [
    "READ",
    "THRESHOLD",
    "UNEXPLAINED",
    "Fact",
    "MissionContext",
    "MissionState",
    "Observation",
    "OfflineReader",
    "Reading",
    "Source",
    "Statement",
    "SystemError_",
    "Text",
    "Verdict",
    "amounts",
    "closeness",
    "decide",
    "english_word",
    "exported_graph",
    "folded",
    "foreign_words",
    "lexicon",
    "mission_graph",
    "mission_policies",
    "noting",
    "observe",
    "place_texts",
    "polarity",
    "read",
    "read_back",
    "read_facts",
    "read_findings",
    "read_in_order",
    "read_subject",
    "reading_model",
    "statements",
    "systems_of",
    "typed",
    "unexplained_facts",
]
