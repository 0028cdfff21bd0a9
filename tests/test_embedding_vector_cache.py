"""The vectors kept on disk: another process reads them without the model, a changed text misses, a damaged entry is
ignored and written again, concurrent writers leave whole entries, and the cache stays within its bound."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ai_missions.knowledge_index import embeddings
from ai_missions.knowledge_index.embeddings import DIMENSION, embed_texts_cached, vector_cache
from ai_missions.knowledge_index.vector_cache import SHARDS, VectorCache, _text_key


def _vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def model_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty cache folder, nothing kept in memory, and a stand-in model that records each text it embeds."""
    monkeypatch.setenv("MISSIONS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MISSIONS_EMBEDDING_CACHE_ENTRIES", raising=False)
    embeddings.KEPT.clear()
    calls: list[str] = []

    def stand_in(texts: Sequence[str], batch_size: int = embeddings.DEFAULT_BATCH_SIZE) -> np.ndarray:
        calls.extend(texts)
        return np.stack([_vector(t) for t in texts])

    monkeypatch.setattr(embeddings, "embed_texts", stand_in)
    yield calls
    embeddings.KEPT.clear()


def _entries(cache: VectorCache) -> list[Path]:
    return [p for p in cache.directory.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_a_process_with_nothing_in_memory_reads_the_kept_vectors_without_the_model(model_calls: list[str]) -> None:
    texts = ["The parcel arrived crushed.", "Bitte stornieren Sie die Bestellung.", "Apt 37"]
    first = embed_texts_cached(texts)
    assert model_calls == texts
    model_calls.clear()
    embeddings.KEPT.clear()  # what a new process has in memory
    again = embed_texts_cached(texts)
    assert model_calls == []
    assert np.array_equal(again, first)


def test_a_changed_text_misses(model_calls: list[str]) -> None:
    embed_texts_cached(["Prefers deliveries after 5pm."])
    embeddings.KEPT.clear()
    model_calls.clear()
    changed = embed_texts_cached(["Prefers deliveries after 5pm. ", "prefers deliveries after 5pm."])
    assert model_calls == ["Prefers deliveries after 5pm. ", "prefers deliveries after 5pm."]
    assert np.array_equal(changed[0], _vector("Prefers deliveries after 5pm. "))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "other text's entry"])
def test_a_damaged_entry_is_ignored_and_written_again(model_calls: list[str], damage: str) -> None:
    embed_texts_cached(["the vase arrived cracked", "a second line"])
    cache = vector_cache()
    assert cache is not None
    entries = {p.name: p for p in _entries(cache)}
    assert len(entries) == 2
    path, other = sorted(entries.values())
    whole = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(whole[: len(whole) // 2])
    elif damage == "flipped":
        path.write_bytes(whole[:100] + bytes([whole[100] ^ 0x01]) + whole[101:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(other.read_bytes())  # a whole entry, but of another text
    embeddings.KEPT.clear()
    model_calls.clear()
    vectors = embed_texts_cached(["the vase arrived cracked", "a second line"])
    assert len(model_calls) == 1  # the damaged one only
    assert np.array_equal(vectors[0], _vector("the vase arrived cracked"))
    assert np.array_equal(vectors[1], _vector("a second line"))
    assert path.read_bytes() == whole  # written again, whole


def test_concurrent_writers_and_readers_only_ever_see_whole_entries(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors", "model", DIMENSION, max_entries=100_000)
    texts = [f"statement {i}" for i in range(40)]
    vectors = np.stack([_vector(t) for t in texts])
    wrong: list[str] = []
    start = threading.Barrier(6)

    def write() -> None:
        start.wait()
        for _ in range(15):
            cache.put_many(texts, vectors)

    def read() -> None:
        start.wait()
        for _ in range(30):
            for text, vector in cache.get_many(texts).items():
                if not np.array_equal(vector, _vector(text)):
                    wrong.append(text)

    threads = [threading.Thread(target=write) for _ in range(4)] + [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    kept = cache.get_many(texts)
    assert sorted(kept) == sorted(texts)
    assert cache.entries() == len(texts)
    assert not [p for p in cache.directory.rglob(".*") if p.is_file()]  # no temporary file left behind


def test_the_cache_stays_within_its_bound_least_recently_used_out(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors", "model", DIMENSION, max_entries=SHARDS)  # one entry a shard
    texts = [f"line {i}" for i in range(3 * SHARDS)]
    for text in texts:
        cache.put_many([text], [_vector(text)])
    assert cache.entries() <= SHARDS
    assert texts[-1] in cache.get_many([texts[-1]])  # the newest is kept
    cache.clear()
    assert cache.entries() == 0
    assert cache.get_many(texts) == {}
    assert not cache.root.exists()
    assert tmp_path.is_dir()  # only the cache's own folder went


def test_a_full_shard_loses_the_entry_least_recently_read(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors", "model", DIMENSION, max_entries=2 * SHARDS)  # two entries a shard
    same_shard = [t for t in (f"note {i}" for i in range(5000)) if _text_key(t)[0] == 0][:3]
    written, read_since, newest = same_shard
    cache.put_many([written, read_since], [_vector(written), _vector(read_since)])
    hours_ago = time.time() - 3 * 3600
    for text, age in ((written, hours_ago), (read_since, hours_ago - 60)):
        os.utime(cache.directory / _text_key(text).hex()[:2] / _text_key(text).hex()[2:], (age, age))
    assert read_since in cache.get_many([read_since])  # an old entry read now counts as recently used
    cache.put_many([newest], [_vector(newest)])
    assert sorted(cache.get_many(same_shard)) == sorted([read_since, newest])


def test_the_first_vector_of_a_new_model_removes_the_old_models_vectors(tmp_path: Path) -> None:
    old = VectorCache(tmp_path / "vectors", "old-model", DIMENSION, max_entries=1000)
    old.put_many(["kept before the upgrade"], [_vector("kept before the upgrade")])
    new = VectorCache(tmp_path / "vectors", "new-model", DIMENSION, max_entries=1000)
    assert old.entries() == 1  # reading alone removes nothing
    assert new.get_many(["kept before the upgrade"]) == {}
    new.put_many(["after"], [_vector("after")])
    assert old.entries() == 0
    assert new.entries() == 1


def test_no_disk_cache_when_turned_off_or_not_writable(
    model_calls: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_EMBEDDING_CACHE_ENTRIES", "0")
    assert vector_cache() is None
    embed_texts_cached(["kept in memory only"])
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("MISSIONS_EMBEDDING_CACHE_ENTRIES")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("MISSIONS_CACHE_DIR", str(blocked))
    vectors = embed_texts_cached(["still embedded", "kept in memory only"])
    assert np.array_equal(vectors[0], _vector("still embedded"))


_SECOND_PROCESS = """
import json, sys
import numpy as np
from ai_missions.knowledge_index import embeddings

def no_model(*args, **kwargs):
    raise AssertionError("the model was asked")

embeddings.embed_texts = no_model
vectors = embeddings.embed_texts_cached(json.loads(sys.argv[1]))
print(json.dumps({"loaded": embeddings._runtime_with.cache_info().currsize, "vectors": vectors.tolist()}))
"""


def test_another_process_reuses_the_vectors_without_loading_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_CACHE_DIR", str(tmp_path))
    embeddings.KEPT.clear()
    texts = ["Release the hold: the only signal is a new address.", "Die Adresse ist unvollständig."]
    here = embed_texts_cached(texts)  # the real model
    embeddings.KEPT.clear()
    done = subprocess.run(
        [sys.executable, "-c", _SECOND_PROCESS, json.dumps(texts)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MISSIONS_CACHE_DIR": str(tmp_path)},
        check=True,
    )
    there = json.loads(done.stdout)
    assert there["loaded"] == 0  # no session was started
    assert np.array_equal(np.asarray(there["vectors"], dtype=np.float32), here)
