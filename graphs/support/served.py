"""The support graph LangGraph's server serves (``langgraph.json``): compiled without a checkpointer, so the
server adds its own (the runtime compiles the spec's graph with the durable one); its runs are recorded in the run
store."""

from __future__ import annotations

from functools import partial

from ai_missions.graphs.support.gather import gather
from ai_missions.graphs.support.spec import SPEC
from ai_missions.nodes.api import exported_graph

graph = exported_graph(SPEC, partial(gather, SPEC))
