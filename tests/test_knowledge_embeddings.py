"""The offline embedder: sane vectors, dynamic padding, Chroma registration; the OpenAI-compatible one by config."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from chromadb.utils.embedding_functions import known_embedding_functions

from ai_missions.kernel.errors import ValidationError
from ai_missions.knowledge_index import embeddings
from ai_missions.knowledge_index.embeddings import (
    DIMENSION,
    MAX_TOKENS,
    MiniLMEmbeddingFunction,
    OpenAICompatibleEmbeddingFunction,
    batches,
    configured_embedding_function,
    embed_texts,
    tokenize,
)

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


def test_similar_sentences_score_higher_than_unrelated() -> None:
    vectors = embed_texts(
        [
            "Release the payment hold when the only fraud signal is a new shipping address.",
            "A fraud hold may be lifted if the sole risk reason is a changed delivery address.",
            "Cycle counts reconcile warehouse stock with the inventory system.",
        ]
    )
    assert vectors.shape == (3, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.6
    assert similar > unrelated + 0.3


def test_batches_pad_to_their_longest_input_and_truncate_at_256() -> None:
    ids, mask = tokenize(["hold", "release the payment hold"])
    assert ids.shape == mask.shape
    assert ids.shape[1] < 16  # not the 128/256 fixed padding the tokenizer file ships with
    assert mask[0].sum() < mask[1].sum() == ids.shape[1]
    ids, _ = tokenize(["word " * 1000])
    assert ids.shape[1] == MAX_TOKENS


def test_each_onnx_run_is_cut_to_its_own_longest_input(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = embeddings._runtime()
    shapes: list[tuple[int, ...]] = []

    class SpySession:
        def run(self, outputs: object, feeds: dict[str, np.ndarray]) -> object:
            shapes.append(feeds["input_ids"].shape)
            assert feeds["attention_mask"].shape == feeds["input_ids"].shape
            return runtime.session.run(outputs, feeds)

    monkeypatch.setattr(embeddings, "_runtime", lambda: dataclasses.replace(runtime, session=SpySession()))
    vectors = embed_texts(["release the hold", "hold", "word " * 400], token_budget=512)
    assert shapes == [(2, 5), (1, MAX_TOKENS)]  # [CLS] release the hold [SEP]; the long text alone, truncated
    assert vectors.shape == (3, DIMENSION)
    shapes.clear()
    embed_texts(["a short query", "another short query"])
    assert len(shapes) == 1
    assert shapes[0][1] < 10


def test_batches_respect_size_and_token_budget() -> None:
    assert batches([5, 3, 100, 4], batch_size=2, token_budget=1000) == [[1, 3], [0, 2]]
    assert batches([5, 3, 100, 4], batch_size=8, token_budget=150) == [[1, 3, 0], [2]]
    assert batches([300], batch_size=8, token_budget=100) == [[0]]  # a text longer than the budget still runs


def test_embedding_does_not_depend_on_batch_companions() -> None:
    alone = embed_texts(["refund the duplicate capture"])[0]
    batched = embed_texts(["refund the duplicate capture", "a much longer text " * 20], batch_size=2)[0]
    assert float(alone @ batched) > 0.999


def test_empty_input() -> None:
    assert embed_texts([]).shape == (0, DIMENSION)


def test_registered_with_chroma_and_rebuilt_from_config() -> None:
    function = MiniLMEmbeddingFunction(batch_size=8)
    assert known_embedding_functions[function.name()] is MiniLMEmbeddingFunction
    assert known_embedding_functions[OpenAICompatibleEmbeddingFunction.name()] is OpenAICompatibleEmbeddingFunction
    rebuilt = MiniLMEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.batch_size == 8
    vectors = rebuilt(["hello"])
    assert len(vectors) == 1
    assert len(vectors[0]) == DIMENSION


def test_default_embedder_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_EMBEDDER", raising=False)
    assert isinstance(configured_embedding_function(), MiniLMEmbeddingFunction)
    monkeypatch.setenv("MISSIONS_EMBEDDER", "nonsense")
    with pytest.raises(ValidationError):
        configured_embedding_function()


def _fake_vector(text: str, dims: int = 24) -> list[float]:
    """A deterministic bag-of-words vector: texts sharing words are close."""
    vector = np.zeros(dims, dtype=np.float32)
    for word in text.lower().split():
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dims] += 1.0
    return [float(x) for x in vector]


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _EmbeddingsHandler.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        data = []
        for index, text in enumerate(body["input"]):
            vector = _fake_vector(text)
            embedding: object = vector
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        payload = json.dumps(
            {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def embeddings_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local OpenAI-compatible ``/v1/embeddings`` endpoint, configured through the environment."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    monkeypatch.setenv("MISSIONS_EMBEDDER", "openai")
    monkeypatch.setenv("MISSIONS_EMBEDDINGS_MODEL", "fake-embed-1")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    _EmbeddingsHandler.requests = []
    yield base_url
    server.shutdown()


def test_openai_compatible_endpoint_plugs_in_by_configuration(embeddings_server: str) -> None:
    function = configured_embedding_function()
    assert isinstance(function, OpenAICompatibleEmbeddingFunction)
    config = function.get_config()
    assert config == {
        "model": "fake-embed-1",
        "base_url": embeddings_server,
        "api_key_env": "OPENAI_API_KEY",
        "dimensions": None,
    }
    assert "sk-test" not in json.dumps(config)  # the key itself is never persisted
    vectors = function(["refund the double charge", "refund the double charge now", "cycle count"])
    assert len(vectors) == 3
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0)
    assert float(np.dot(vectors[0], vectors[1])) > float(np.dot(vectors[0], vectors[2]))
    [request] = _EmbeddingsHandler.requests
    assert request["path"] == "/v1/embeddings"
    assert request["auth"] == "Bearer sk-test"
    assert request["model"] == "fake-embed-1"


def test_index_builds_and_searches_through_the_endpoint(embeddings_server: str, tmp_path: Path) -> None:
    """The same index pipeline through an OpenAI-compatible endpoint, selected by environment only."""
    from ai_missions.knowledge_index.index import build, read_manifest
    from ai_missions.knowledge_index.retrieval import KnowledgeBase

    directory = tmp_path / "index"
    report = build(FIXTURES / "good", directory=directory)
    assert len(report.added) == 6
    assert report.chunks_embedded > 0
    assert read_manifest(directory)["embedder"].startswith("ai-missions-openai-compatible:")
    hits = KnowledgeBase(directory).search("undeliverable shipping address hold order ask customer", k=2)
    assert hits[0].policy_id == "FUL-001"
    assert len(hits[0].text) > 0
    requests = len(_EmbeddingsHandler.requests)
    assert build(FIXTURES / "good", directory=directory).chunks_embedded == 0
    assert len(_EmbeddingsHandler.requests) == requests  # nothing re-embedded


def test_the_optimised_model_is_saved_once_and_gives_the_same_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first session on a machine optimises the model and saves the result; later sessions load that file and
    compute the very same vectors; a damaged file is ignored (the source is optimised again and the file rewritten)."""
    import onnxruntime as ort

    monkeypatch.setenv("MISSIONS_CACHE_DIR", str(tmp_path))

    def options() -> ort.SessionOptions:
        chosen = ort.SessionOptions()
        chosen.intra_op_num_threads = 1
        chosen.log_severity_level = 3
        return chosen

    ids, mask = tokenize(["the vase arrived cracked", "Der Kunde möchte stornieren, bitte."])
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

    def hidden(session: ort.InferenceSession) -> np.ndarray:
        wanted = {i.name for i in session.get_inputs()}
        return session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]

    optimised = embeddings._session(options())
    saved = list(tmp_path.glob("*.onnx"))
    assert len(saved) == 1
    assert not list(tmp_path.glob("*.partial"))
    loaded = embeddings._session(options())
    assert loaded.get_session_options().graph_optimization_level == ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    assert np.array_equal(hidden(optimised), hidden(loaded))
    saved[0].write_bytes(b"not a model")
    again = embeddings._session(options())
    assert np.array_equal(hidden(again), hidden(optimised))
    assert saved[0].stat().st_size > 1_000_000


def test_a_one_thread_worker_uses_the_session_its_fork_server_preloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    embeddings.preload_single_threaded()
    preloaded = embeddings._runtime_with(1)
    monkeypatch.setenv("MISSIONS_ONNX_THREADS", "1")
    assert embeddings._runtime() is preloaded
    one = embed_texts(["the parcel arrived crushed"])
    monkeypatch.setenv("MISSIONS_ONNX_THREADS", "2")
    assert embeddings._runtime() is not preloaded  # a wider worker loads its own session
    # bit for bit: the vectors kept on disk are shared by processes on any number of threads
    assert np.array_equal(embed_texts(["the parcel arrived crushed"]), one)


def test_a_kept_vector_is_the_one_embedding_gives_and_a_new_text_is_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_CACHE_DIR", str(tmp_path))  # nothing kept on disk yet
    embeddings.KEPT.clear()
    embedded: list[str] = []
    real = embeddings.embed_texts

    def counting(texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(embeddings, "embed_texts", counting)
    companions = ["Prefers deliveries after 5pm.", "a much longer line about a parcel that arrived crushed " * 4]
    first = embeddings.embed_texts_cached(["Apt 37", *companions, "Apt 37"])
    assert embedded == ["Apt 37", *companions]  # each distinct text once
    assert np.array_equal(first[0], real(["Apt 37"])[0])  # bit for bit what it gives alone
    assert np.array_equal(first[0], first[3])
    embedded.clear()
    first[0] += 1.0  # a caller's copy: the kept vector is not changed
    again = embeddings.embed_texts_cached(["Apt 37", "Apt 38"])
    assert embedded == ["Apt 38"]  # a changed text is embedded, never served another's vector
    assert np.array_equal(again[0], real(["Apt 37"])[0])
    assert np.array_equal(again[1], real(["Apt 38"])[0])
    assert not np.array_equal(again[0], again[1])
    assert embeddings.embed_texts_cached([]).shape == (0, DIMENSION)


def test_kept_vectors_are_bounded_least_recently_used_first(monkeypatch: pytest.MonkeyPatch) -> None:
    embeddings.KEPT.clear()
    monkeypatch.setattr(embeddings, "TEXT_CACHE_SIZE", 2)
    embeddings.embed_texts_cached(["one", "two"])
    embeddings.embed_texts_cached(["one", "three"])  # "one" used again: "two" is the oldest
    assert list(embeddings.KEPT.vectors) == ["one", "three"]
    embeddings.KEPT.vectors.clear()
