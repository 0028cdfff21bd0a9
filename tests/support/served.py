"""The graph ``langgraph.json`` names for a mission, imported as LangGraph's server loads it (by the module it
names in this repository's namespace)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def served_module(mission: str) -> ModuleType:
    """The module ``langgraph.json`` serves ``mission`` from."""
    path = json.loads((ROOT / "langgraph.json").read_text())["graphs"][mission].split(":")[0]
    return importlib.import_module("ai_missions." + path.removeprefix("./").removesuffix(".py").replace("/", "."))


def served(mission: str) -> Any:
    """The compiled graph LangGraph's server serves for ``mission`` (no checkpointer of its own)."""
    return served_module(mission).graph
