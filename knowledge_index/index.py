"""The Chroma index of policy sections, built incrementally from a policy directory.

Design: one collection, :data:`COLLECTION`, cosine space, one record per section (long sections split into parts).
Every record's metadata carries the policy id, version, title, domain, effective date, ``applies`` (the case types
of any mission the policy applies to, or ``all``, as a string array that Chroma's ``$contains`` filters, and as a
``|``-delimited ``applies_to`` string for people) and the policy's content hash. A JSON manifest beside the Chroma
files records, per policy, its content hash, source path, chunk count and source text (so
:func:`ai_missions.knowledge_index.retrieval.get_policy` returns exactly the indexed version), plus the embedder
and chunker that built the index.

Rebuilds are incremental by content hash: unchanged policies are not re-embedded, a changed policy's chunks are
replaced, a policy whose file disappeared (or no longer validates) loses its chunks. A different embedder or
chunker version rebuilds everything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings

from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.embeddings import configured_embedding_function, embedder_identity
from ai_missions.knowledge_index.manifest import manifest_path, read_manifest
from ai_missions.knowledge_index.policies import (
    Policy,
    PolicyProblem,
    Section,
    corpus_sources,
    load_corpus,
    policy_files,
    sections,
)

COLLECTION = "policies"
#: Bump when chunking, the embedded text or the metadata change: every policy is then re-embedded.
CHUNKER_VERSION = 3
#: Sections longer than this (in words) are split at paragraph boundaries (the embedder truncates at 256 tokens).
MAX_CHUNK_WORDS = 160


def applies_to(metadata: Mapping[str, Any]) -> frozenset[str]:
    """The case types a chunk's policy applies to (``all`` included as written)."""
    return frozenset(metadata.get("applies") or str(metadata.get("applies_to", "")).split("|"))


@dataclass(frozen=True, slots=True)
class Chunk:
    """One indexed record: a section (or part of one) of a policy."""

    id: str
    text: str
    #: What is embedded: the text prefixed with the policy title and section heading.
    embed_text: str
    metadata: dict[str, Any]


def chunk_policy(policy: Policy) -> list[Chunk]:
    """A policy's sections as index records, with the policy's identity on every one."""
    base: dict[str, Any] = {
        "policy_id": policy.id,
        "version": policy.version,
        "title": policy.title,
        "domain": policy.domain,
        "effective_from": policy.effective_from.isoformat(),
        "effective_from_day": policy.effective_from.toordinal(),
        "applies_to": "|".join(policy.applies_to),
        "applies": list(policy.applies_to),
        "content_hash": policy.content_hash,
    }
    chunks = []
    for section in sections(policy):
        parts = _split(section)
        for part, text in enumerate(parts):
            heading = section.heading if len(parts) == 1 else f"{section.heading} ({part + 1}/{len(parts)})"
            metadata = {**base, "section": heading, "section_index": section.index, "part": part}
            chunks.append(
                Chunk(
                    id=f"{policy.id}#{section.index:02d}.{part}",
                    text=text,
                    embed_text=f"{policy.title}: {section.heading}. {text}",
                    metadata=metadata,
                )
            )
    return chunks


def _split(section: Section) -> list[str]:
    """A section's text in parts of at most about :data:`MAX_CHUNK_WORDS` words, cut between paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", section.text) if p.strip()]
    parts: list[list[str]] = [[]]
    words = 0
    for paragraph in paragraphs:
        count = len(paragraph.split())
        if parts[-1] and words + count > MAX_CHUNK_WORDS:
            parts.append([])
            words = 0
        parts[-1].append(paragraph)
        words += count
    return ["\n\n".join(p) for p in parts if p]


@dataclass
class BuildReport:
    """What a build did: policy ids added, updated (re-embedded), removed and skipped (unchanged)."""

    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[PolicyProblem] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    #: Why everything was re-embedded, when it was (new index, other embedder, new chunker).
    full_rebuild_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [
            {"path": str(p.path), "line": p.line, "message": p.message, "where": str(p)} for p in self.problems
        ]
        return data


def chroma_settings() -> Settings:
    """Chroma settings for every client we open: no telemetry, no reset."""
    return Settings(anonymized_telemetry=False, allow_reset=False, is_persistent=True)


_CLIENTS: dict[str, tuple[ClientAPI, str | None]] = {}
_CLIENTS_LOCK = threading.Lock()
#: Builds this process wrote (their clients saw every record they added).
_OWN_BUILDS: set[str] = set()


def open_client(directory: Path | None = None, manifest: dict[str, Any] | None = None) -> ClientAPI:
    """The persistent Chroma client of an index directory (one per directory and process).

    Chroma keeps an open index in memory and does not see records another process writes afterwards. Given the
    current ``manifest``, a cached client opened before a build that ran in another process is closed (collections
    taken from it stop working) and a new one reads the files again.
    """
    path = str((directory or knowledge_dir()).resolve())
    build_id = (manifest or {}).get("build_id")
    with _CLIENTS_LOCK:
        client, seen = _CLIENTS.get(path, (None, None))
        if client is not None and build_id is not None and build_id != seen and build_id not in _OWN_BUILDS:
            close = getattr(client, "close", None)
            if close is not None:
                close()
            client = None
        if client is None:
            client = chromadb.PersistentClient(path=path, settings=chroma_settings())
            # A new client reads the files as they are now: it has seen the latest build.
            seen = build_id if manifest is not None else read_manifest(Path(path)).get("build_id")
        _CLIENTS[path] = (client, build_id or seen)
        return client


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    path = manifest_path(directory)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """One build at a time per index directory (across processes)."""
    with open(directory / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(
    source: Path | Sequence[Path] | None = None,
    *,
    directory: Path | None = None,
    embedding_function: EmbeddingFunction[Documents] | None = None,
) -> BuildReport:
    """Bring the index in ``directory`` (default ``knowledge_dir()``) in line with the policies in ``source``."""
    started = time.perf_counter()
    directory = (directory or knowledge_dir()).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(source)
    report = BuildReport(source=str(corpus.source), problems=list(corpus.problems))
    function = embedding_function or configured_embedding_function()
    identity = embedder_identity(function)
    with _build_lock(directory):
        manifest = read_manifest(directory)
        client = open_client(directory, manifest)
        report.full_rebuild_reason = _full_rebuild_reason(client, manifest, identity)
        if report.full_rebuild_reason:
            with contextlib.suppress(Exception):  # chromadb raises NotFoundError/ValueError by version
                client.delete_collection(COLLECTION)
            manifest = {"policies": {}}
        collection = client.get_or_create_collection(
            COLLECTION,
            embedding_function=function,  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"description": "AI Missions policy sections", "chunker_version": CHUNKER_VERSION},
        )
        known: dict[str, dict[str, Any]] = manifest["policies"]
        current = {p.id: p for p in corpus.policies}
        for policy_id in sorted(set(known) - set(current)):
            collection.delete(where={"policy_id": policy_id})
            del known[policy_id]
            report.removed.append(policy_id)
        changed: list[Policy] = []
        for policy in corpus.policies:
            entry = known.get(policy.id)
            if entry is not None and entry["content_hash"] == policy.content_hash:
                entry["path"] = str(policy.path)
                report.skipped.append(policy.id)
                continue
            (report.updated if entry is not None else report.added).append(policy.id)
            changed.append(policy)
        report.chunks_embedded = _index(client, collection, function, changed)
        for policy in changed:
            known[policy.id] = {
                "path": str(policy.path),
                "content_hash": policy.content_hash,
                "version": policy.version,
                "domain": policy.domain,
                "title": policy.title,
                "text": policy.source_text,
            }
        build_id = uuid.uuid4().hex
        _OWN_BUILDS.add(build_id)
        manifest.update(
            build_id=build_id,
            embedder=identity,
            chunker_version=CHUNKER_VERSION,
            collection_id=str(collection.id),
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            source=str(corpus.source),
            sources=[str(s) for s in corpus.sources],
        )
        _write_manifest(directory, manifest)
        report.chunks_total = collection.count()
    report.seconds = time.perf_counter() - started
    return report


def built_from(manifest: Mapping[str, Any]) -> list[Path]:
    """The folders an index was built from. A manifest written before they were all recorded names the first only:
    when that is the default corpus, the index was built from every default folder."""
    if manifest.get("sources"):
        return [Path(s) for s in manifest["sources"]]
    source, defaults = Path(str(manifest.get("source", ""))), corpus_sources()
    return defaults if source == defaults[0] else [source]


def changed_since_build(directory: Path | None = None) -> list[str]:
    """The policy files added, edited or removed since the index in ``directory`` was built from its folders (a
    hash of each file against the manifest's): empty when it is current, was never built, or when a folder it was
    built from is gone (a moved checkout: nothing here can say what the index should hold)."""
    return _changes(read_manifest(directory or knowledge_dir()))


def _changes(manifest: Mapping[str, Any]) -> list[str]:
    if not manifest.get("embedder"):
        return []
    sources = built_from(manifest)
    if not all(s.is_dir() for s in sources):
        return []
    indexed = {
        str(entry["path"]): (policy_id, entry["content_hash"]) for policy_id, entry in manifest["policies"].items()
    }
    changed = []
    for path in policy_files(sources):
        known = indexed.pop(str(path), None)
        if known is None:
            changed.append(f"{path.name} (new)")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != known[1]:
            changed.append(f"{known[0]} (edited)")
    changed.extend(f"{policy_id} (removed)" for policy_id, _ in indexed.values())
    return sorted(changed)


def build_if_changed(directory: Path | None = None) -> BuildReport | None:
    """Re-index the policies that changed since the last build (an incremental build: only they are embedded), so
    a mission never cites a policy version that is no longer the text in force; None when nothing changed."""
    directory = (directory or knowledge_dir()).resolve()
    manifest = read_manifest(directory)
    changed = _changes(manifest)
    if not changed:
        return None
    report = build(built_from(manifest), directory=directory)
    logging.getLogger(__name__).warning(
        "policy index %s was behind its policies (%s): re-indexed %d chunk(s)",
        directory,
        ", ".join(changed),
        report.chunks_embedded,
    )
    return report


def _full_rebuild_reason(client: ClientAPI, manifest: dict[str, Any], identity: str) -> str | None:
    if not manifest.get("embedder"):
        return "new index"
    if manifest["embedder"] != identity:
        return f"embedder changed (was {manifest['embedder']})"
    if manifest.get("chunker_version") != CHUNKER_VERSION:
        return "chunker changed"
    try:
        collection = client.get_collection(COLLECTION, embedding_function=None)
    except Exception:
        return "collection missing"
    if str(collection.id) != manifest.get("collection_id"):
        return "collection replaced"
    return None


def _index(
    client: ClientAPI, collection: Collection, function: EmbeddingFunction[Documents], policies: Sequence[Policy]
) -> int:
    """Replace the chunks of ``policies``: delete the old ones, embed and add the new ones. Returns chunks embedded."""
    chunks = [chunk for policy in policies for chunk in chunk_policy(policy)]
    for policy in policies:
        collection.delete(where={"policy_id": policy.id})
    if not chunks:
        return 0
    vectors = function([c.embed_text for c in chunks])
    step = max(1, client.get_max_batch_size())
    for start in range(0, len(chunks), step):
        batch = chunks[start : start + step]
        collection.add(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            embeddings=vectors[start : start + step],
            metadatas=[c.metadata for c in batch],
        )
    return len(chunks)
