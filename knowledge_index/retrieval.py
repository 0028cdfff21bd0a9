"""Retrieval for missions: search policy sections with filters, fetch policies, under governed domain access.

A :class:`KnowledgeBase` keeps the Chroma client, the collection and the query embedder open, so a query costs one
embedding and one Chroma lookup. A mission gets a view bound to the domains it may read::

    kb = KnowledgeBase().for_domains({"payments", "customer"})
    hits = kb.search("release a fraud hold after an address change", applies_to="payment_review")
    kb.search("who approves refunds", domains=["governance"])  # ForbiddenError: governance is not allowed
    policy = kb.get_policy("PAY-001")  # clauses, approval rules and text of the indexed version

The module-level :func:`search`, :func:`get_policy` and :func:`load_policies` use a cached knowledge base of the
current ``MISSIONS_HOME``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection as AbstractCollection
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction

from ai_missions.kernel.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.kernel.missions import all_case_types, all_domains
from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.index import (
    COLLECTION,
    applies_to,
    build,
    build_if_changed,
    manifest_path,
    open_client,
    read_manifest,
)
from ai_missions.knowledge_index.policies import APPLIES_TO_ALL, Policy, parse_policy


@dataclass(frozen=True, slots=True)
class Hit:
    """A policy section matching a query. ``score`` is the cosine similarity (higher is closer)."""

    policy_id: str
    version: int
    title: str
    domain: str
    section: str
    text: str
    score: float
    effective_from: dt.date
    applies_to: tuple[str, ...]
    chunk_id: str

    @property
    def citation(self) -> str:
        """How a verdict cites it: ``PAY-001 v3 §When a hold is released``."""
        return f"{self.policy_id} v{self.version} §{self.section}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "version": self.version,
            "title": self.title,
            "domain": self.domain,
            "section": self.section,
            "score": round(self.score, 4),
            "effective_from": self.effective_from.isoformat(),
            "applies_to": list(self.applies_to),
            "chunk_id": self.chunk_id,
            "text": self.text,
        }


#: Query vectors, and search results, kept per open index and build (first in, first out).
QUERY_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class _Filter:
    """A search's filters, resolved in memory against the chunk metadata (see :meth:`_Store.ids_for`)."""

    domains: frozenset[str] | None
    types: frozenset[str] | None
    day: int | None

    def matches(self, meta: Mapping[str, Any]) -> bool:
        if self.domains is not None and meta["domain"] not in self.domains:
            return False
        if self.types is not None:
            covered = applies_to(meta)
            if APPLIES_TO_ALL not in covered and not covered & self.types:
                return False
        return self.day is None or int(meta["effective_from_day"]) <= self.day


class _Store:
    """The open index of one directory: client, collection, query embedder and the parsed manifest."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = False
        self._collection: Any = None
        self._embedder: EmbeddingFunction[Documents] | None = None
        self._policies: dict[str, Policy] = {}
        #: Each chunk's text and metadata, by id, as the build read at open holds them.
        self._chunks: dict[str, tuple[str, Mapping[str, Any]]] = {}
        self._ids: dict[_Filter, list[str]] = {}
        self._vectors: dict[str, list[float]] = {}
        self._hits: dict[tuple[_Filter, str, int], tuple[Hit, ...]] = {}

    def _refresh(self) -> None:
        """(Re)open after a build: a stat of the manifest per call decides. The first open in a process re-indexes
        the policies edited since the last build (:func:`build_if_changed`)."""
        if not self._checked:
            with self._lock:
                if not self._checked:
                    build_if_changed(self.directory)
                    self._checked = True
        try:
            stat = manifest_path(self.directory).stat()
        except FileNotFoundError:
            raise NotFoundError(
                f"the knowledge index in {self.directory} is empty: run `missions knowledge build`"
            ) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            manifest = read_manifest(self.directory)
            collection = open_client(self.directory, manifest).get_collection(COLLECTION, embedding_function=None)
            embedder = collection.configuration.get("embedding_function")
            if embedder is None:
                raise NotFoundError(f"the collection {COLLECTION!r} has no embedding function: rebuild the index")
            self._policies = {
                policy_id: parse_policy(Path(entry["path"]), entry["text"])
                for policy_id, entry in sorted(manifest["policies"].items())
            }
            records = collection.get(include=["metadatas", "documents"])
            chunks = zip(records["ids"], records["documents"] or [], records["metadatas"] or [], strict=True)
            self._chunks = {chunk_id: (text, meta) for chunk_id, text, meta in chunks}
            self._ids = {}
            self._vectors = {}
            self._hits = {}
            self._collection, self._embedder, self._stamp = collection, embedder, stamp

    def collection(self) -> Any:
        self._refresh()
        return self._collection

    def embed_query(self, query: str) -> list[float]:
        """The query's vector; missions ask the same few questions again and again, so recent ones are cached."""
        self._refresh()
        assert self._embedder is not None
        vector = self._vectors.get(query)
        if vector is None:
            vector = [float(x) for x in self._embedder.embed_query([query])[0]]
            if len(self._vectors) >= QUERY_CACHE_SIZE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[query] = vector
        return vector

    def policies(self) -> dict[str, Policy]:
        self._refresh()
        return self._policies

    def kept_hits(self, where: _Filter, query: str, k: int) -> tuple[Hit, ...] | None:
        """A search's results on this build, if it was asked before: a result depends on the question, its filters
        and the index only, and missions ask the same few questions for every case of a type."""
        self._refresh()
        return self._hits.get((where, query, k))

    def keep_hits(self, where: _Filter, query: str, k: int, hits: Sequence[Hit], stamp: object) -> None:
        if stamp != self._stamp:
            return  # rebuilt meanwhile: these hits are the old build's
        if len(self._hits) >= QUERY_CACHE_SIZE:
            self._hits.pop(next(iter(self._hits)), None)
        self._hits[(where, query, k)] = tuple(hits)

    def chunk(self, chunk_id: str) -> tuple[str, Mapping[str, Any]] | None:
        """A chunk's text and metadata as the build read at open holds them (None: not in it)."""
        return self._chunks.get(chunk_id)

    @property
    def stamp(self) -> object:
        return self._stamp

    def ids_for(self, where: _Filter) -> list[str] | None:
        """The chunk ids passing a filter (cached per build), or None when every chunk passes.

        Chroma gets them as an id allow-list, which costs less per query than its metadata filter (measured: about
        2 ms against 3-5 ms at 1,000 chunks).
        """
        self._refresh()
        ids = self._ids.get(where)
        if ids is None:
            ids = self._ids[where] = [chunk_id for chunk_id, (_, meta) in self._chunks.items() if where.matches(meta)]
        return None if len(ids) == len(self._chunks) else ids


_STORES: dict[Path, _Store] = {}
_STORES_LOCK = threading.Lock()


def _store(directory: Path | None) -> _Store:
    path = (directory or knowledge_dir()).resolve()
    with _STORES_LOCK:
        if path not in _STORES:
            _STORES[path] = _Store(path)
        return _STORES[path]


class KnowledgeBase:
    """Search and read the indexed policies; optionally bound to the domains a mission may read.

    Asking for a domain outside :attr:`allowed_domains` raises :class:`ForbiddenError`; searches that name no
    domain are filtered to the allowed ones, and :meth:`policies` lists only those.
    """

    def __init__(self, directory: Path | None = None, *, allowed_domains: Iterable[str] | None = None) -> None:
        self._store = _store(directory)
        allowed = frozenset(all_domains()) if allowed_domains is None else frozenset(allowed_domains)
        _check_domains(allowed)
        self.allowed_domains: frozenset[str] = allowed

    def for_domains(self, domains: Iterable[str]) -> KnowledgeBase:
        """A view restricted to ``domains``; a view can only narrow its parent's access."""
        wanted = frozenset(domains)
        self._authorize(wanted)
        return KnowledgeBase(self._store.directory, allowed_domains=wanted)

    @property
    def directory(self) -> Path:
        """The index directory (``knowledge_dir(home)``)."""
        return Path(self._store.directory)

    @property
    def restricted(self) -> bool:
        return self.allowed_domains != frozenset(all_domains())

    def _authorize(self, domains: AbstractCollection[str]) -> None:
        _check_domains(domains)
        denied = sorted(set(domains) - self.allowed_domains)
        if denied:
            raise ForbiddenError(
                f"knowledge of domain(s) {', '.join(denied)} is not allowed here "
                f"(allowed: {', '.join(sorted(self.allowed_domains)) or 'none'})"
            )

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        domains: Iterable[str] | None = None,
        applies_to: str | Iterable[str] | None = None,
        effective_on: dt.date | None = None,
    ) -> list[Hit]:
        """The ``k`` policy sections closest to ``query``, best first.

        Filters: ``domains`` (any of), ``applies_to`` (an exception type or several: policies that apply to any of
        them, or to ``all``), ``effective_on`` (policies in effect on that date: ``effective_from <= date``).
        """
        if not query.strip():
            raise ValidationError("the query is empty")
        if k < 1:
            raise ValidationError("k must be at least 1")
        where = self._filter(domains, applies_to, effective_on)
        kept = self._store.kept_hits(where, query, k)
        if kept is not None:
            return list(kept)
        stamp = self._store.stamp
        ids = self._store.ids_for(where)
        if ids == []:
            return []
        collection = self._store.collection()
        vector = self._store.embed_query(query)
        n_results = min(k, len(ids)) if ids is not None else k
        asked: dict[str, Any] = {"query_embeddings": [vector], "ids": ids, "n_results": n_results}
        # the nearest ids only: their texts and metadata are the ones read when the index opened (a query that
        # returns them too costs ~2.2 ms against ~0.8 here, at ~340 sections); a chunk not among those (a build
        # since) is asked for with them
        result = collection.query(**asked, include=["distances"])
        held = [self._store.chunk(chunk_id) for chunk_id in result["ids"][0]]
        found = [chunk for chunk in held if chunk is not None]
        if len(found) < len(held):
            result = collection.query(**asked, include=["documents", "metadatas", "distances"])
            found = list(zip(result["documents"][0], result["metadatas"][0], strict=True))
        hits = []
        for chunk_id, (text, meta), distance in zip(result["ids"][0], found, result["distances"][0], strict=True):
            hits.append(
                Hit(
                    policy_id=str(meta["policy_id"]),
                    version=int(meta["version"]),
                    title=str(meta["title"]),
                    domain=str(meta["domain"]),
                    section=str(meta["section"]),
                    text=text,
                    score=1.0 - float(distance),
                    effective_from=dt.date.fromisoformat(str(meta["effective_from"])),
                    applies_to=tuple(str(meta["applies_to"]).split("|")),
                    chunk_id=chunk_id,
                )
            )
        self._store.keep_hits(where, query, k, hits, stamp)
        return hits

    def search_policies(self, query: str, k: int = 3, **filters: Any) -> list[Hit]:
        """The ``k`` best *distinct* policies for ``query``, each as its best-matching section."""
        hits = self.search(query, k=max(k * 8, 24), **filters)
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.policy_id, hit)
        return list(best.values())[:k]

    def _filter(
        self,
        domains: Iterable[str] | None,
        applies_to: str | Iterable[str] | None,
        effective_on: dt.date | None,
    ) -> _Filter:
        wanted: frozenset[str] | None = None
        if domains is not None:
            wanted = frozenset([domains] if isinstance(domains, str) else domains)
            self._authorize(wanted)
        elif self.restricted:
            wanted = self.allowed_domains
        types: frozenset[str] | None = None
        if applies_to is not None:
            types = frozenset([applies_to] if isinstance(applies_to, str) else applies_to)
            known = all_case_types()
            unknown = sorted(t for t in types if t not in known and t != APPLIES_TO_ALL)
            if unknown or not types:
                raise ValidationError(f"unknown case types {unknown}; expected some of {', '.join(known)}")
        return _Filter(wanted, types, effective_on.toordinal() if effective_on is not None else None)

    def get_policy(self, policy_id: str) -> Policy:
        """The indexed version of a policy; NotFoundError if unknown, ForbiddenError outside the allowed domains."""
        policy = self._store.policies().get(policy_id.strip().upper())
        if policy is None:
            raise NotFoundError(f"unknown policy {policy_id!r}")
        self._authorize([policy.domain])
        return policy

    def policies(self) -> tuple[Policy, ...]:
        """Every indexed policy of the allowed domains (with clauses and approval rules), sorted by id."""
        return tuple(p for p in self._store.policies().values() if p.domain in self.allowed_domains)


def _check_domains(domains: Iterable[str]) -> None:
    known = all_domains()
    unknown = sorted(set(domains) - set(known))
    if unknown:
        raise ValidationError(f"unknown domain(s) {', '.join(unknown)}; expected some of {', '.join(known)}")


def knowledge_base(*, allowed_domains: Iterable[str] | None = None) -> KnowledgeBase:
    """The knowledge base of the current ``MISSIONS_HOME`` (its store is opened once per process)."""
    return KnowledgeBase(allowed_domains=allowed_domains)


def search(
    query: str,
    k: int = 5,
    *,
    domains: Iterable[str] | None = None,
    applies_to: str | Iterable[str] | None = None,
    effective_on: dt.date | None = None,
    allowed_domains: Iterable[str] | None = None,
) -> list[Hit]:
    """:meth:`KnowledgeBase.search` on the current home, restricted to ``allowed_domains`` when given."""
    return knowledge_base(allowed_domains=allowed_domains).search(
        query, k, domains=domains, applies_to=applies_to, effective_on=effective_on
    )


def get_policy(policy_id: str, *, allowed_domains: Iterable[str] | None = None) -> Policy:
    """:meth:`KnowledgeBase.get_policy` on the current home."""
    return knowledge_base(allowed_domains=allowed_domains).get_policy(policy_id)


def load_policies(*, allowed_domains: Iterable[str] | None = None) -> tuple[Policy, ...]:
    """Every indexed policy (clauses and approval rules included) for the reasoner; parsed once per build."""
    return knowledge_base(allowed_domains=allowed_domains).policies()


def ensure_built(source: Path | None = None) -> KnowledgeBase:
    """The knowledge base, building the index from ``source`` (default: the shipped corpus) if it was never built."""
    if not read_manifest().get("embedder"):
        build(source)
    return knowledge_base()
