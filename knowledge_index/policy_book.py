"""The indexed policies, read from the index's manifest alone: what deciding needs, without the vector store.

Deciding reads approval rules and policies by id, never searches. :class:`KnowledgeBase` opens Chroma, whose
import alone costs seconds of a command's start; :class:`PolicyBook` parses the same indexed versions from the
manifest the index build writes (``manifest.json``: every policy's path and text), so a cold ``missions decide``
does not pay for search it does not do.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.missions import all_domains
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.manifest import read_manifest
from ai_missions.knowledge_index.policies import Policy, parse_policy


class PolicyBook:
    """The indexed policies of one knowledge directory (the :class:`KnowledgeBase` reading side, no search)."""

    #: Sees every domain of the registered missions (like an unrestricted KnowledgeBase).
    restricted = False

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or knowledge_dir()).resolve()
        self._policies: dict[str, Policy] | None = None

    def _all(self) -> dict[str, Policy]:
        if self._policies is None:
            entries = read_manifest(self.directory)["policies"]
            if not entries:
                raise NotFoundError(f"the knowledge index in {self.directory} is empty: run `missions knowledge build`")
            domains = set(all_domains())
            parsed = {pid: parse_policy(Path(e["path"]), e["text"]) for pid, e in sorted(entries.items())}
            self._policies = {pid: p for pid, p in parsed.items() if p.domain in domains}
        return self._policies

    def policies(self) -> tuple[Policy, ...]:
        return tuple(self._all().values())

    def get_policy(self, policy_id: str) -> Policy:
        policy = self._all().get(policy_id.strip().upper())
        if policy is None:
            raise NotFoundError(f"unknown policy {policy_id!r}")
        return policy

    def for_domains(self, domains: Iterable[str]) -> Any:
        """A searchable view: the full knowledge base (a run's steps that search need it)."""
        # deferred: start-up time (loads chromadb, which deciding does without)
        from ai_missions.knowledge_index.retrieval import KnowledgeBase

        return KnowledgeBase(self.directory).for_domains(domains)

    def search(self, query: str, k: int = 5, **filters: Any) -> Any:
        # deferred: start-up time (loads chromadb, which deciding does without)
        from ai_missions.knowledge_index.retrieval import KnowledgeBase

        return KnowledgeBase(self.directory).search(query, k, **filters)
