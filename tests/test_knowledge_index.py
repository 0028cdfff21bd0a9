"""The Chroma index: incremental builds, reopening from a new process, filters and governed access."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ai_missions.kernel.errors import ForbiddenError, NotFoundError, ValidationError
from ai_missions.knowledge_index import embeddings
from ai_missions.knowledge_index.index import (
    COLLECTION,
    build,
    built_from,
    changed_since_build,
    chunk_policy,
    open_client,
    read_manifest,
)
from ai_missions.knowledge_index.policies import corpus_sources, load_corpus
from ai_missions.knowledge_index.retrieval import KnowledgeBase, ensure_built, get_policy, load_policies, search

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the good fixture corpus, shared by the read-only tests of this module."""
    directory = tmp_path_factory.mktemp("index")
    report = build(FIXTURES / "good", directory=directory)
    assert report.problems == []
    return directory


@pytest.fixture
def kb(built: Path) -> KnowledgeBase:
    return KnowledgeBase(built)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private, editable copy of the good fixture corpus."""
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES / "good", target)
    return target


@pytest.fixture
def embed_counter(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every text the offline embedder embeds, whoever asks (build, queries, Chroma)."""
    counts: list[int] = []
    real = embeddings.embed_texts

    def counting(texts: Sequence[str], batch_size: int = embeddings.DEFAULT_BATCH_SIZE) -> np.ndarray:
        counts.append(len(texts))
        return real(texts, batch_size)

    monkeypatch.setattr(embeddings, "embed_texts", counting)
    # every text asked for reaches the embedder: none is served from the vectors kept by an earlier build or test
    embeddings.KEPT.clear()
    monkeypatch.setattr(embeddings, "TEXT_CACHE_SIZE", 0)
    monkeypatch.setenv("MISSIONS_EMBEDDING_CACHE_ENTRIES", "0")  # nor from the vectors kept on disk
    return counts


def test_every_chunk_carries_policy_identity(built: Path) -> None:
    collection = open_client(built).get_collection(COLLECTION, embedding_function=None)
    records = collection.get(include=["metadatas", "documents"])
    assert len(records["ids"]) == sum(len(chunk_policy(p)) for p in load_corpus(FIXTURES / "good").policies)
    for meta in records["metadatas"] or []:
        assert {"policy_id", "version", "title", "domain", "section", "effective_from", "content_hash"} <= set(meta)
        assert meta["domain"] in {"payments", "inventory", "fulfillment", "customer", "governance"}
    pay = [m for m in records["metadatas"] or [] if m["policy_id"] == "PAY-001"]
    assert {m["section"] for m in pay} == {"Overview", "When a hold is kept", "When a hold is released"}
    assert {(m["version"], tuple(m["applies"])) for m in pay} == {(3, ("payment_review",))}


def test_search_returns_cited_sections(kb: KnowledgeBase) -> None:
    hits = kb.search("the only fraud reason is a new shipping address; can the hold be released?", k=3)
    assert hits[0].policy_id == "PAY-001"
    assert hits[0].section == "When a hold is released"
    assert hits[0].citation == "PAY-001 v3 §When a hold is released"
    assert hits[0].score > hits[-1].score
    assert 0 < hits[0].score <= 1


def test_filters_domain_applies_to_and_effective_date(kb: KnowledgeBase) -> None:
    query = "what should we do about this order"
    assert {h.domain for h in kb.search(query, k=10, domains=["inventory"])} == {"inventory"}
    applies = kb.search(query, k=20, applies_to="oversell")
    assert {h.policy_id for h in applies} == {"INV-001", "CUS-001", "GOV-001"}  # INV-001 + the `all` policies
    assert {h.policy_id for h in kb.search(query, k=20, applies_to=["address_invalid", "auth_expiring"])} == {
        "FUL-001",
        "PAY-002",
        "CUS-001",
        "GOV-001",
    }
    before = {h.policy_id for h in kb.search("authorization expiry capture", k=20, effective_on=dt.date(2026, 1, 1))}
    after = {h.policy_id for h in kb.search("authorization expiry capture", k=20, effective_on=dt.date(2026, 6, 1))}
    assert "PAY-002" not in before  # effective from 2026-06-01
    assert "PAY-002" in after
    combined = kb.search(
        query, k=20, domains=["payments"], applies_to="auth_expiring", effective_on=dt.date(2027, 1, 1)
    )
    assert {h.policy_id for h in combined} == {"PAY-002"}
    with pytest.raises(ValidationError):
        kb.search(query, applies_to="not_a_type")
    with pytest.raises(ValidationError):
        kb.search(query, domains=["marketing"])


@pytest.mark.parametrize(
    "filters", [{}, {"domains": ["payments"]}, {"applies_to": "oversell"}, {"effective_on": dt.date(2026, 1, 1)}]
)
def test_a_search_gives_each_section_as_the_collection_holds_it(kb: KnowledgeBase, filters: dict[str, object]) -> None:
    """Texts and metadata come from what the index read when it opened, the nearest ids from Chroma: the same hits,
    in the same order, as a query that returns all of it."""
    query = "the customer was charged twice; refund the duplicate capture"
    hits = kb.search(query, k=6, **filters)
    collection = open_client(kb._store.directory).get_collection(COLLECTION, embedding_function=None)
    where = kb._filter(filters.get("domains"), filters.get("applies_to"), filters.get("effective_on"))
    ids = kb._store.ids_for(where)
    full = collection.query(
        query_embeddings=[kb._store.embed_query(query)],
        ids=ids,
        n_results=min(6, len(ids)) if ids is not None else 6,
        include=["documents", "metadatas", "distances"],
    )
    assert [h.chunk_id for h in hits] == full["ids"][0]
    assert [h.text for h in hits] == full["documents"][0]
    assert [(h.policy_id, h.version, h.section) for h in hits] == [
        (m["policy_id"], m["version"], m["section"]) for m in full["metadatas"][0]
    ]
    assert [round(h.score, 6) for h in hits] == [round(1 - d, 6) for d in full["distances"][0]]
    # sections the index did not hold when it opened (a build since) are asked of Chroma with the ids
    kb._store._hits.clear()
    held, kb._store._chunks = kb._store._chunks, {}
    try:
        assert kb.search(query, k=6, **filters) == hits
    finally:
        kb._store._chunks = held


def test_search_policies_gives_distinct_policies(kb: KnowledgeBase) -> None:
    hits = kb.search_policies("fraud hold release", k=4)
    assert len({h.policy_id for h in hits}) == len(hits) == 4
    assert hits[0].policy_id == "PAY-001"


def test_governed_access_filters_and_refuses(kb: KnowledgeBase) -> None:
    mission = kb.for_domains({"payments", "customer"})
    assert mission.allowed_domains == {"payments", "customer"}
    hits = mission.search("who approves refunds above 5000", k=10)
    assert hits
    assert {h.domain for h in hits} <= {"payments", "customer"}  # GOV-001 is the best match, filtered out
    assert {h.domain for h in kb.search("who approves refunds above 5000", k=1)} == {"governance"}
    with pytest.raises(ForbiddenError, match="governance"):
        mission.search("who approves refunds", domains=["governance"])
    with pytest.raises(ForbiddenError):
        mission.get_policy("GOV-001")
    assert mission.get_policy("PAY-001").id == "PAY-001"
    assert {p.id for p in mission.policies()} == {"PAY-001", "PAY-002", "CUS-001"}
    with pytest.raises(ForbiddenError):
        mission.for_domains({"payments", "inventory"})  # a view can only narrow
    assert mission.for_domains({"payments"}).allowed_domains == {"payments"}
    nothing = kb.for_domains(set())
    assert nothing.search("refund", k=3) == []


def test_get_policy_and_load_policies(kb: KnowledgeBase) -> None:
    policy = kb.get_policy("PAY-001")
    assert policy.version == 3
    assert policy.clauses[0].id == "hold-high-fraud"
    assert kb.get_policy("gov-001").approval_rules[0].roles == ["payments_lead"]
    with pytest.raises(NotFoundError):
        kb.get_policy("PAY-999")
    assert [p.id for p in kb.policies()] == ["CUS-001", "FUL-001", "GOV-001", "INV-001", "PAY-001", "PAY-002"]


def test_module_functions_use_missions_home(corpus: Path) -> None:
    with pytest.raises(NotFoundError, match="knowledge build"):
        search("refund")
    build(corpus)
    assert search("fraud hold", k=1)[0].policy_id == "PAY-001"
    assert search("fraud hold", k=3, allowed_domains={"inventory"})[0].domain == "inventory"
    assert get_policy("INV-001").clauses[0].then.actions[0].tier == "auto"
    assert len(load_policies()) == 6
    assert {p.domain for p in load_policies(allowed_domains={"governance"})} == {"governance"}


def test_ensure_built_builds_once(corpus: Path, embed_counter: list[int]) -> None:
    kb = ensure_built(corpus)
    assert len(kb.policies()) == 6
    embedded = sum(embed_counter)
    assert embedded > 0
    ensure_built(corpus)
    assert sum(embed_counter) == embedded


def test_rebuild_with_nothing_changed_embeds_nothing(corpus: Path, tmp_path: Path, embed_counter: list[int]) -> None:
    directory = tmp_path / "index"
    first = build(corpus, directory=directory)
    assert sorted(first.added) == sorted(p.stem.upper() for p in corpus.glob("*.md"))
    embedded_first = sum(embed_counter)
    assert embedded_first == first.chunks_embedded > 0

    embed_counter.clear()
    again = build(corpus, directory=directory)
    assert embed_counter == []  # not one text went through the embedder
    assert (again.added, again.updated, again.removed, again.chunks_embedded) == ([], [], [], 0)
    assert len(again.skipped) == 6
    assert again.chunks_total == first.chunks_total


def test_changed_policy_replaces_its_chunks(corpus: Path, tmp_path: Path, embed_counter: list[int]) -> None:
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    kb = KnowledgeBase(directory)
    assert kb.get_policy("FUL-001").version == 1
    path = corpus / "ful-001.md"
    text = path.read_text().replace("version: 1", "version: 2").replace("## Undeliverable addresses\n", "")
    path.write_text(text.replace("## Suggested corrections", "## Carrier suggestions\n\nPostcode fixes are applied."))
    embed_counter.clear()
    report = build(corpus, directory=directory)
    assert report.updated == ["FUL-001"]
    assert len(report.skipped) == 5
    assert sum(embed_counter) == report.chunks_embedded == len(chunk_policy(load_corpus(corpus).by_id()["FUL-001"]))
    records = (
        open_client(directory).get_collection(COLLECTION, embedding_function=None).get(where={"policy_id": "FUL-001"})
    )
    sections = {m["section"] for m in records["metadatas"] or []}
    assert sections == {"Carrier suggestions"}  # the old sections are gone
    assert {m["version"] for m in records["metadatas"] or []} == {2}
    assert kb.get_policy("FUL-001").version == 2  # the open knowledge base sees the new build


def test_removed_file_removes_its_chunks(corpus: Path, tmp_path: Path) -> None:
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    (corpus / "inv-001.md").unlink()
    report = build(corpus, directory=directory)
    assert report.removed == ["INV-001"]
    collection = open_client(directory).get_collection(COLLECTION, embedding_function=None)
    assert collection.get(where={"policy_id": "INV-001"})["ids"] == []
    assert "INV-001" not in read_manifest(directory)["policies"]
    with pytest.raises(NotFoundError):
        KnowledgeBase(directory).get_policy("INV-001")


def test_bad_files_are_reported_and_the_rest_builds(corpus: Path, tmp_path: Path) -> None:
    for path in (FIXTURES / "bad").glob("*.md"):
        shutil.copy(path, corpus / path.name)
    report = build(corpus, directory=tmp_path / "index")
    assert sorted(report.added) == ["CUS-001", "FUL-001", "GOV-001", "INV-001", "PAY-001", "PAY-002"]
    where = [str(p) for p in report.problems]
    assert any(w.startswith(f"{corpus / 'unknown-domain.md'}:4: domain: 'marketing'") for w in where)
    assert any(w.startswith(f"{corpus / 'zz-duplicate-id.md'}:2: duplicate policy id PAY-001") for w in where)
    assert any(w.startswith(f"{corpus / 'bad-clause.md'}:13:") for w in where)


def test_a_policy_that_stops_validating_leaves_the_index(corpus: Path, tmp_path: Path) -> None:
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    path = corpus / "cus-001.md"
    path.write_text(path.read_text().replace("domain: customer", "domain: crm"))
    report = build(corpus, directory=directory)
    assert report.removed == ["CUS-001"]
    assert [str(p).split(": ", 1)[0] for p in report.problems] == [f"{path}:4"]


def test_a_new_embedder_rebuilds_everything(corpus: Path, tmp_path: Path, embed_counter: list[int]) -> None:
    class OtherModel(embeddings.MiniLMEmbeddingFunction):
        @staticmethod
        def name() -> str:
            return "test-other-minilm"

        def get_config(self) -> dict[str, object]:
            return {**super().get_config(), "variant": "other"}

    directory = tmp_path / "index"
    build(corpus, directory=directory)
    embed_counter.clear()
    report = build(corpus, directory=directory, embedding_function=OtherModel())
    assert report.full_rebuild_reason
    assert "embedder changed" in report.full_rebuild_reason
    assert len(report.added) == 6
    assert sum(embed_counter) == report.chunks_embedded


def test_reopen_from_a_new_process_without_passing_the_embedding_function(built: Path) -> None:
    """A fresh interpreter opens the persisted collection and queries it by text: Chroma rebuilds our registered
    embedder from the stored config (its own downloading default is made to fail loudly if it were used)."""
    script = textwrap.dedent(
        f"""
        import json, sys
        import chromadb
        from chromadb.config import Settings
        from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

        def refuse(self, input):
            raise SystemExit("Chroma's default embedder was used")
        DefaultEmbeddingFunction.__call__ = refuse

        import ai_missions.knowledge_index.embeddings  # registers our embedding functions with Chroma
        client = chromadb.PersistentClient(path={str(built)!r}, settings=Settings(anonymized_telemetry=False))
        collection = client.get_collection({COLLECTION!r})
        result = collection.query(query_texts=["who approves refunds above 5000"], n_results=1)
        config = collection.configuration_json["embedding_function"]

        from ai_missions.knowledge_index.retrieval import KnowledgeBase
        hit = KnowledgeBase(__import__("pathlib").Path({str(built)!r})).search("undeliverable address", k=1)[0]
        print(json.dumps({{"top": result["metadatas"][0][0]["policy_id"], "ef": config["name"], "kb": hit.policy_id}}))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "top": "GOV-001",
        "ef": "ai-missions-minilm-int8",
        "kb": "FUL-001",
    }


def test_an_open_knowledge_base_sees_a_build_made_by_another_process(corpus: Path, tmp_path: Path) -> None:
    """Chroma caches an open index in memory; a build by another process must still become visible."""
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    kb = KnowledgeBase(directory)
    query = "zebras crossing the road"
    assert kb.search(query, k=1)[0].section != "Zebra crossings"
    path = corpus / "ful-001.md"
    zebra = "## Zebra crossings\n\nZebras cross roads.\n\n## Suggested corrections"
    path.write_text(path.read_text().replace("## Suggested corrections", zebra))
    script = (
        "import sys; from pathlib import Path; from ai_missions.knowledge_index.index import build; "
        "print(build(Path(sys.argv[1]), directory=Path(sys.argv[2])).updated)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(directory)], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "['FUL-001']", done.stderr
    assert kb.search(query, k=1)[0].section == "Zebra crossings"
    assert "Zebra crossings" in kb.get_policy("FUL-001").body
    # And a build in this process afterwards still works on the fresh files.
    path.write_text(path.read_text().replace("## Zebra crossings", "## Giraffe crossings"))
    assert build(corpus, directory=directory).updated == ["FUL-001"]
    assert kb.search("giraffe crossings", k=1)[0].section == "Giraffe crossings"


NEW_YEAR_2026 = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("filters", "where"),
    [
        ({"domains": ["payments", "governance"]}, {"domain": {"$in": ["payments", "governance"]}}),
        (
            {"applies_to": "oversell"},
            {"$or": [{"applies": {"$contains": "oversell"}}, {"applies": {"$contains": "all"}}]},
        ),
        (
            {"applies_to": "auth_expiring", "effective_on": NEW_YEAR_2026},
            {
                "$and": [
                    {"$or": [{"applies": {"$contains": "auth_expiring"}}, {"applies": {"$contains": "all"}}]},
                    {"effective_from_day": {"$lte": NEW_YEAR_2026.toordinal()}},
                ]
            },
        ),
    ],
)
def test_in_memory_filters_agree_with_chroma_metadata_filters(
    kb: KnowledgeBase, built: Path, filters: dict[str, object], where: dict[str, object]
) -> None:
    query = "release the hold and tell the customer"
    collection = open_client(built).get_collection(COLLECTION, embedding_function=None)
    vector = embeddings.embed_texts([query])[0]
    expected = collection.query(query_embeddings=[vector], n_results=6, where=where)["ids"][0]
    assert [h.chunk_id for h in kb.search(query, k=6, **filters)] == expected  # type: ignore[arg-type]


def test_a_repeated_query_is_embedded_once(corpus: Path, tmp_path: Path, embed_counter: list[int]) -> None:
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    kb = KnowledgeBase(directory)
    embed_counter.clear()
    first = kb.search("refund the second capture", k=3)
    again = kb.for_domains({"payments"}).search("refund the second capture", k=3)
    assert embed_counter == [1]
    payments_in_first = [h for h in first if h.domain == "payments"]
    assert again[: len(payments_in_first)] == payments_in_first


def test_a_policy_edited_after_the_build_is_re_indexed_when_the_index_is_next_opened(
    corpus: Path, tmp_path: Path, embed_counter: list[int]
) -> None:
    """An operations team edits a policy file and runs a mission: the mission must cite the text in force, not the
    version indexed before the edit (the first open in a process re-indexes what changed, and only that)."""
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    assert changed_since_build(directory) == []
    path = corpus / "ful-001.md"
    path.write_text(path.read_text().replace("version: 1", "version: 2"))
    (corpus / "inv-001.md").unlink()
    assert changed_since_build(directory) == ["FUL-001 (edited)", "INV-001 (removed)"]
    embed_counter.clear()
    fresh = subprocess.run(  # a new process, as `missions run` after the edit
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from ai_missions.knowledge_index.retrieval import KnowledgeBase; "
            "kb = KnowledgeBase(Path(sys.argv[1])); "
            "print(kb.get_policy('FUL-001').version, sorted(p.id for p in kb.policies()))",
            str(directory),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert fresh.stdout.split(" ", 1)[0] == "2"
    assert "INV-001" not in fresh.stdout
    assert "re-indexed" in fresh.stderr
    assert changed_since_build(directory) == []
    assert read_manifest(directory)["policies"]["FUL-001"]["version"] == 2


def test_an_index_whose_policy_folder_is_gone_is_left_as_it_is(corpus: Path, tmp_path: Path) -> None:
    """A moved checkout: the folder the index was built from no longer exists, so nothing can say what the index
    should hold; it is kept, not emptied."""
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    shutil.rmtree(corpus)
    assert changed_since_build(directory) == []
    assert len(KnowledgeBase(directory).policies()) == 6


def test_an_index_built_before_its_folders_were_recorded_is_judged_against_all_of_them() -> None:
    """Older manifests name only the first folder; one built from the default corpus was built from every default
    folder (the company's and each mission's), so none of their policies may be taken for removed."""
    defaults = corpus_sources()
    assert len(defaults) > 1
    assert built_from({"source": str(defaults[0])}) == defaults
    assert built_from({"source": "/elsewhere/policies"}) == [Path("/elsewhere/policies")]
    assert built_from({"source": "/a", "sources": ["/a", "/b"]}) == [Path("/a"), Path("/b")]


def test_a_repeated_search_is_answered_from_its_build_and_a_rebuild_is_asked_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "index"
    build(corpus, directory=directory)
    kb = KnowledgeBase(directory)
    question = "the address failed validation: apply the suggested correction"
    first = kb.search(question, k=4, applies_to="address_invalid")
    queried: list[int] = []
    collection = type(kb._store.collection())
    real_query = collection.query

    def counting(self: object, *args: object, **kwargs: object) -> object:
        queried.append(1)
        return real_query(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(collection, "query", counting)
    again = KnowledgeBase(directory).search(question, k=4, applies_to="address_invalid")
    assert again == first
    assert queried == []
    assert kb.search(question, k=2, applies_to="address_invalid") == first[:2]
    assert len(queried) == 1
    assert kb.search(question, k=4, applies_to="payment_review") != first
    assert len(queried) == 2
    with pytest.raises(ForbiddenError):  # a kept result never skips the domain check
        kb.for_domains({"payments"}).search(question, k=4, domains={"fulfillment"})
    path = corpus / "ful-001.md"
    text = path.read_text().replace("version: 1", "version: 2").replace("## Undeliverable addresses\n", "")
    path.write_text(text.replace("## Suggested corrections", "## Carrier suggestions\n\nPostcode fixes are applied."))
    build(corpus, directory=directory)
    rebuilt = kb.search(question, k=4, applies_to="address_invalid")
    assert len(queried) == 3  # the new build is asked, not the kept result
    assert {h.section for h in rebuilt if h.policy_id == "FUL-001"} <= {"Carrier suggestions", "Overview"}
    assert {h.version for h in rebuilt if h.policy_id == "FUL-001"} == {2}
