"""The retail-exceptions graph LangGraph's server serves (``langgraph.json``): compiled without a checkpointer, so the
server adds its own (the runtime compiles the spec's graph with the durable one); its runs are recorded in the run
store."""

from __future__ import annotations

from ai_missions.graphs.retail_exceptions.graph import exported
from ai_missions.graphs.retail_exceptions.spec import SPEC

graph = exported(SPEC)
