"""Text vectors kept on disk, so that one process re-uses what another embedded.

Every new process (an eval pool's worker, a test worker, a CLI command a test starts) used to embed the policy
corpus again: 335 sections, 9.3 s of CPU here. Chroma keeps the vectors of what it indexed, but offers no cache in
front of an embedding function, and langchain's ``CacheBackedEmbeddings`` is not a Chroma embedding function; this
module is that cache.

One file per vector, content-addressed: the folder names the model (:func:`model_fingerprint`), the file name is a
hash of the exact text. A file holds a magic tag, the float32 vector and a checksum of both the text's hash and the
vector, so a partial or damaged file (or one moved under another name) reads as a miss and is written again.
Writers write a private temporary file and rename it over the entry: a reader sees a whole entry or none, and two
processes writing the same entry write the same bytes. Nothing here reaches the network.

The cache is bounded per shard (the first byte of the hash, 256 shards): a shard over its share of
``max_entries`` loses its least recently used files (a hit older than :data:`TOUCH_AFTER_S` refreshes its file's
time). The first vector written for a model removes other models' folders (an upgrade's leftovers), and
:meth:`VectorCache.clear` removes every model's vectors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"AMV1"
_CHECK_BYTES = 8
SHARDS = 256
#: A hit on a file older than this sets its time to now (what the bound evicts by); younger ones are left alone, so
#: a warm process reads its vectors without a write.
TOUCH_AFTER_S = 3600.0
#: A temporary file this old was left by a writer that died: the next prune of its shard removes it.
STALE_TEMPORARY_S = 600.0


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _check(key: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(key + payload, digest_size=_CHECK_BYTES).digest()


@dataclass
class VectorCache:
    """The vectors of ``model`` under ``root`` (a folder of this cache's own: it holds a folder per model),
    ``dimension`` float32 each, at most about ``max_entries``."""

    root: Path
    model: str
    dimension: int
    max_entries: int

    @property
    def directory(self) -> Path:
        return self.root / self.model

    @property
    def _size(self) -> int:
        return len(MAGIC) + 4 * self.dimension + _CHECK_BYTES

    def _path(self, key: bytes) -> Path:
        name = key.hex()
        return self.directory / name[:2] / name[2:]

    def get_many(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The kept vectors of those ``texts`` that have a whole, intact entry (read-only arrays)."""
        found: dict[str, np.ndarray] = {}
        now = time.time()
        for text in dict.fromkeys(texts):
            key = _text_key(text)
            path = self._path(key)
            try:
                with open(path, "rb") as handle:
                    data = handle.read(self._size + 1)
                    modified = os.fstat(handle.fileno()).st_mtime
            except OSError:
                continue
            payload = data[len(MAGIC) : -_CHECK_BYTES]
            if len(data) != self._size or not data.startswith(MAGIC) or data[-_CHECK_BYTES:] != _check(key, payload):
                continue  # partial or damaged: a miss, rewritten by the caller's put
            vector = np.frombuffer(payload, dtype="<f4")
            found[text] = vector
            if now - modified > TOUCH_AFTER_S:
                with contextlib.suppress(OSError):
                    os.utime(path)
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray | Sequence[np.ndarray]) -> None:
        """Keep ``vectors[i]`` for ``texts[i]``; a cache that cannot be written is silently skipped."""
        if not self.directory.is_dir():
            self._drop_other_models()
        shards: set[Path] = set()
        for text, vector in zip(texts, vectors, strict=True):
            key = _text_key(text)
            path = self._path(key)
            payload = np.ascontiguousarray(vector, dtype="<f4").tobytes()
            if len(payload) != 4 * self.dimension:
                raise ValueError(f"a vector of {len(payload) // 4} numbers, not {self.dimension}")
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary.write_bytes(MAGIC + payload + _check(key, payload))
                os.replace(temporary, path)  # whole or not at all; the last of several identical writers wins
            except OSError:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
                return
            shards.add(path.parent)
        for shard in shards:
            self._prune(shard)

    def _drop_other_models(self) -> None:
        """Remove the vectors of the models beside this one, when this one's first vector is written: after an
        upgrade (of the model, the tokenizer or onnxruntime) the old ones are never read again."""
        with contextlib.suppress(OSError):
            for other in self.root.iterdir():
                if other.name != self.model and other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)

    def _prune(self, shard: Path) -> None:
        """Bring one shard back under its share of the bound, least recently used first; drop dead writers' files."""
        limit = max(1, -(-self.max_entries // SHARDS))
        now = time.time()
        entries: list[tuple[float, str]] = []
        try:
            with os.scandir(shard) as listing:
                for entry in listing:
                    with contextlib.suppress(OSError):
                        modified = entry.stat().st_mtime
                        if entry.name.startswith("."):
                            if now - modified > STALE_TEMPORARY_S:
                                os.unlink(entry.path)
                        else:
                            entries.append((modified, entry.path))
        except OSError:
            return
        if len(entries) <= limit:
            return
        entries.sort()
        for _, path in entries[: len(entries) - limit]:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def entries(self) -> int:
        """How many vectors are kept now."""
        if not self.directory.is_dir():
            return 0
        return sum(1 for shard in self.directory.iterdir() for name in os.listdir(shard) if not name.startswith("."))

    def clear(self) -> None:
        """Remove every kept vector, of every model."""
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.root)


def model_fingerprint(parts: Mapping[str, str]) -> str:
    """A folder name for one model's vectors: what decides them (model, tokenizer, runtime releases, processor)."""
    text = "|".join(f"{k}={parts[k]}" for k in sorted(parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
