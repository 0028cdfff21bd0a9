"""The dashboard's expensive clients, opened once per process and shared by every session (``st.cache_resource``).

- the run store (:class:`RunStore`, SQLite): every listing, count and audit trail, as the CLI reads them;
- the mission client (:class:`MissionClient`): graph state and ``decide``, over the runtime's persistent MCP
  sessions (opened on first need, ~2 s, then reused);
- the knowledge base (:class:`KnowledgeBase`): policy search and reading.

Everything is keyed by ``MISSIONS_HOME``, so one process can serve (or test) several homes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ai_missions.governance import load_roster
from ai_missions.identity import Accounts
from ai_missions.queries import RunQueries
from ai_missions.settings import knowledge_dir, missions_home, runs_db
from ai_missions.store import RunStore

if TYPE_CHECKING:  # imported on first use: the runtime and the vector store take seconds to import
    from ai_missions.client import MissionClient
    from ai_missions.knowledge_index.retrieval import KnowledgeBase


def home() -> Path:
    return missions_home()


@st.cache_resource(show_spinner=False)
def _store(home: str) -> RunStore:
    return RunStore(runs_db(Path(home)))


def store() -> RunStore:
    return _store(str(home()))


def queries() -> RunQueries:
    """The dashboard's read-only queries over the run store."""
    return RunQueries(store())


def _close(client: MissionClient) -> None:
    client.__exit__(None, None, None)


@st.cache_resource(show_spinner="Connecting to the systems…", on_release=_close)
def _client(home: str) -> MissionClient:
    from ai_missions.client import MissionClient

    return MissionClient(Path(home)).__enter__()


def client() -> MissionClient:
    """The mission client of this home (the same runtime API the CLI uses)."""
    return _client(str(home()))


@st.cache_resource(show_spinner=False)
def _knowledge(home: str) -> KnowledgeBase:
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

    return KnowledgeBase(knowledge_dir(Path(home)))


def knowledge() -> KnowledgeBase:
    return _knowledge(str(home()))


def roster() -> dict[str, str]:
    """Account name -> role (the store's accounts); read on every run."""
    return load_roster(home())


def accounts() -> Accounts:
    """The store's local accounts, for signing in."""
    return Accounts(store())
