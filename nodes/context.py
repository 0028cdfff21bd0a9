"""Run configuration, passed as LangGraph's ``context`` (``context_schema=MissionContext``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ai_missions.settings import llm_timeout_s


@dataclass
class MissionContext:
    """How a mission runs. Always pass ``context=MissionContext(...)``: without it ``runtime.context`` is None.

    The JSON-friendly fields configure the run (``langgraph dev`` builds this from a dict); ``systems`` and
    ``knowledge`` let an embedding process hand in already-open clients (otherwise they are opened per process
    from ``home`` and cached).
    """

    home: str | None = None
    reasoner: Literal["offline", "llm"] = "offline"
    #: Domains of Enterprise Knowledge the mission may read (governed access); None: the mission's own.
    allowed_domains: tuple[str, ...] | None = None
    policies_per_type: int = 6
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_structured_output_method: Literal["function_calling", "json_mode", "json_schema"] = "function_calling"
    #: Seconds one chat-model call may take (``MISSIONS_LLM_TIMEOUT_S``).
    llm_timeout_s: float = field(default_factory=llm_timeout_s)
    #: Keep each reviewer decision as a case of the ``reviewed`` eval dataset (off when an eval replays a case).
    record_reviews: bool = True
    #: Pre-opened resources (not serialisable; optional).
    systems: Any = field(default=None, repr=False)
    knowledge: Any = field(default=None, repr=False)
    chat_model: Any = field(default=None, repr=False)
