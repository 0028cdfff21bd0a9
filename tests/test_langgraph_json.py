"""``langgraph.json`` names graphs that LangGraph's own server can load unchanged."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from langgraph.pregel import Pregel

from ai_missions.kernel.missions import registry
from ai_missions.nodes.context import ClientContext
from tests.support.served import served_module

ROOT = Path(__file__).resolve().parent.parent


def test_every_declared_graph_loads_as_a_compiled_graph_without_a_checkpointer() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["graphs"]
    for name, target in config["graphs"].items():
        path, attribute = target.split(":")
        spec = importlib.util.spec_from_file_location(f"langgraph_json_{name.replace('-', '_')}", ROOT / path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        graph = getattr(module, attribute)
        assert isinstance(graph, Pregel), name
        assert graph.checkpointer is None, f"{name}: the server adds its own checkpointer"
        assert graph.context_schema is ClientContext, f"{name}: a client may choose the reasoner only"
        assert {"gather", "retrieve_policies", "reason", "validate", "request_approval", "execute"} <= set(graph.nodes)


def test_langgraph_json_lists_every_registered_mission() -> None:
    """Each registered mission is served by ``langgraph dev``, under its own name, from a module of its package
    that builds the registered mission's graph."""
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert set(config["graphs"]) == set(registry())
    for name, spec in registry().items():
        assert served_module(name).SPEC is spec, name
