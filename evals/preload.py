"""What every eval worker loads before its first case, loaded once by the fork server the local pool's workers are
forked from (:func:`ai_missions.evals.pool.worker_context`) instead of once by each worker.

Only the server imports this module. Importing it loads the harness, the runtime's MCP stack, LangGraph and
Chroma's client modules, then every installed mission's spec (the knowledge base reads all their domains), its
graph built once and its eval plugin (each imported when first asked for: a mission hands them over as functions), the
simulator's hooks (snapshots load through them), every system's declaration (a snapshot names systems the mission
does not use; each builds its tables' pydantic models, ~0.1 s), the installed policies, parsed, the reader's words
(0.18 s) with every one of its patterns compiled (~1 s once in the server, where each worker compiled what its
cases needed on first use: 7-9 ms a case over a 60-case share, `bench/replay_budget.py`; ~0.1 s where the machine's
store of compiled patterns holds them, ``nodes/reading/lexicon/programs.py``) and the embedding model
for one intra-op thread (0.3 s: a worker of a pool of two runs on one thread and
uses it as it is; one that runs on more loads its own). Nothing here may start a thread the workers need, since a
fork keeps only the thread that forks: numpy's OpenBLAS pool stops itself around a fork, a one-thread session has
no pool, and the threads that would not (a wider session's intra-op pool, Chroma's client) start in each worker,
after the fork, when it first searches.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points

# modules a worker's first case imports lazily (the runtime, Chroma's client, LangGraph's tracers)
import anyio._backends._asyncio  # noqa: F401
import chromadb.api.rust
import chromadb.telemetry.product.posthog  # noqa: F401
import langchain_core.tracers.context  # noqa: F401
import langgraph.checkpoint.memory
import langgraph.graph  # noqa: F401
import tokenizers  # noqa: F401

import ai_missions.evals.harness
import ai_missions.knowledge_index.retrieval  # noqa: F401
from ai_missions.kernel.environment import simulated_environment
from ai_missions.kernel.missions import registry
from ai_missions.knowledge_index.embeddings import preload_single_threaded
from ai_missions.knowledge_index.policies import preload_policies
from ai_missions.nodes.reading.lexicon import Words, default, load_words, save_patterns
from ai_missions.services.mcp_session import SYSTEMS_GROUP

for mission in registry().values():
    mission.build_graph()  # its gather step, its reader and what they import
    if mission.evals is not None:
        mission.eval_plugin()
simulated_environment()
for point in entry_points(group=SYSTEMS_GROUP):
    point.load()
preload_policies()
load_words()
for words in [*default().words.values(), *(w for kind in default().kinds.values() for w in vars(kind).values())]:
    for one in words.values() if isinstance(words, Mapping) else (words,):
        if isinstance(one, Words):
            _ = one.pattern  # compiled once here (or read from the machine's store), inherited by every worker
save_patterns()
preload_single_threaded()
