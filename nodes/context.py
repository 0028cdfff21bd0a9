"""Run configuration, passed as LangGraph's ``context``.

Two kinds of values configure a run, and they come from two places:

- what a client may choose, among fixed values: the reasoner's name. This is :class:`ClientContext`, the graph's
  ``context_schema``: all that LangGraph's API shows and accepts as a run's ``context``;
- what the server decides: the home (its stores, keys and systems), the chat model's endpoint, key and model,
  the domains of Enterprise Knowledge a mission may read, and the clients an embedding process already opened.
  These live on :class:`MissionContext`, which only code running in the server's own process constructs (the
  runtime, the eval harness, tests); left unset, each comes from the server's settings (``MISSIONS_HOME``,
  ``OPENAI_BASE_URL``, ...: :mod:`ai_missions.kernel.settings`).

A context that arrives as data (a dict, as LangGraph's API sends it) is read by :func:`server_context`: it may name
the client's choices only, and anything else is refused in one line, before a step runs. A client never supplies
a URL, a key or a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ai_missions.kernel.errors import ForbiddenError, ValidationError
from ai_missions.kernel.settings import llm_timeout_s

Reasoner = Literal["offline", "llm"]
REASONERS: tuple[str, ...] = get_args(Reasoner)


@dataclass(frozen=True)
class ClientContext:
    """What a client of the graph may choose for a run: the graph's ``context_schema``."""

    reasoner: Reasoner = "offline"


#: The fields of a run context a client may set.
CLIENT_FIELDS: tuple[str, ...] = tuple(ClientContext.__dataclass_fields__)


@dataclass
class MissionContext:
    """How a mission runs, as the server sets it. Always pass ``context=MissionContext(...)`` in process; a client's
    context is read by :func:`server_context`.

    ``systems`` and ``knowledge`` let an embedding process hand in already-open clients (otherwise they are opened
    per process from ``home`` and cached).
    """

    home: str | None = None
    reasoner: Reasoner = "offline"
    #: Domains of Enterprise Knowledge the mission may read (governed access); None: the mission's own.
    allowed_domains: tuple[str, ...] | None = None
    policies_per_type: int = 6
    #: The chat model's name, endpoint and key; None: the server's settings (``OPENAI_MODEL``, ``OPENAI_BASE_URL``,
    #: ``OPENAI_API_KEY``).
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_structured_output_method: Literal["function_calling", "json_mode", "json_schema"] = "function_calling"
    #: Seconds one chat-model call may take (``MISSIONS_LLM_TIMEOUT_S``).
    llm_timeout_s: float = field(default_factory=llm_timeout_s)
    #: Keep each reviewer decision as a case of the ``reviewed`` eval dataset (off when an eval replays a case).
    record_reviews: bool = True
    #: Read a plan back to the person it is for before it goes on, when the mission reads back (its spec's
    #: ``read_back``); off when an eval replays a recorded case, whose resolution people decided after that talk.
    read_back: bool = True
    #: Pre-opened resources (not serialisable; optional).
    systems: Any = field(default=None, repr=False)
    knowledge: Any = field(default=None, repr=False)
    chat_model: Any = field(default=None, repr=False)


def server_context(given: Any) -> MissionContext:
    """The context a run uses: a :class:`MissionContext` the server's own process made, as it is; otherwise the
    server's settings with the client's choices (:class:`ClientContext`, or the same as a dict). A client's context
    naming anything else (a home, an endpoint, a key...) is refused, naming what it tried to set."""
    if isinstance(given, MissionContext):
        return given
    if given is None:
        return MissionContext()
    if isinstance(given, ClientContext):
        return MissionContext(reasoner=given.reasoner)
    if not isinstance(given, Mapping):
        raise ValidationError(f"a run's context is an object of {', '.join(CLIENT_FIELDS)}, not {type(given).__name__}")
    if refused := sorted(str(k) for k in given if k not in CLIENT_FIELDS):
        raise ForbiddenError(
            f"a run's context may not set {', '.join(refused)}: homes, endpoints, keys and paths come from the "
            f"server's settings; a client chooses only {', '.join(CLIENT_FIELDS)}"
        )
    reasoner = given.get("reasoner", "offline")
    if reasoner not in REASONERS:
        raise ValidationError(f"reasoner must be one of {', '.join(REASONERS)}, got {reasoner!r}")
    return MissionContext(reasoner=reasoner)
