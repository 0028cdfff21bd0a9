"""Enterprise Knowledge benchmark: build time, no-op rebuild, query latency at >= 1,000 chunks, embedding throughput.

Run with ``uv run python bench/knowledge.py [--chunks 1000] [--queries 300]``. Everything happens in a temporary
directory; nothing touches ``./.missions``. Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from ai_missions.knowledge_index import embeddings
from ai_missions.knowledge_index.evaluation import default_questions, evaluate_retrieval, load_questions
from ai_missions.knowledge_index.index import build, chunk_policy
from ai_missions.knowledge_index.policies import Policy, default_source, load_corpus
from ai_missions.knowledge_index.retrieval import KnowledgeBase

SWAPS = {
    "customer": "client",
    "order": "purchase",
    "reviewer": "approver",
    "must": "shall",
    "hold": "block",
    "release": "lift",
    "warehouse": "distribution centre",
    "refund": "reimbursement",
    "address": "delivery address",
}
REGIONS = ["EMEA", "North America", "LATAM", "APAC", "Nordics", "Iberia", "Benelux", "DACH", "UK and Ireland"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _report(label: str, latencies: list[float]) -> None:
    p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    print(f"{label:52}: p50 {p50:5.1f} ms, p95 {p95:5.1f} ms, mean {statistics.fmean(latencies):5.1f} ms")


def _variant(policy: Policy, number: int, rng: random.Random) -> str:
    """A synthetic regional variant of a real policy: new id, reworded body, same front-matter schema."""
    prefix = policy.id.split("-")[0]
    new_id = f"{prefix}-{100 + number:03d}"
    region = REGIONS[number % len(REGIONS)]
    text = policy.source_text.replace(f"id: {policy.id}", f"id: {new_id}", 1)
    text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)} ({region})", text, count=1, flags=re.M)
    head, _, body = text.partition("\n---\n")
    words = list(SWAPS.items())
    rng.shuffle(words)
    for old, new in words[: rng.randint(2, 5)]:
        body = re.sub(rf"\b{old}\b", new, body)
    body += f"\n\n## Regional note\n\nIn {region}, local law may add notice periods; the rules above still apply.\n"
    return f"{head}\n---\n{body}"


def grow_corpus(source: Path, target: Path, min_chunks: int) -> int:
    """Copy the real corpus into ``target`` and add regional variants until it holds ``min_chunks`` chunks."""
    target.mkdir(parents=True, exist_ok=True)
    policies = list(load_corpus(source).policies)
    chunks = 0
    for policy in policies:
        (target / policy.path.name).write_text(policy.source_text, encoding="utf-8")
        chunks += len(chunk_policy(policy))
    rng = random.Random(7)
    number = 0
    while chunks < min_chunks:
        policy = policies[number % len(policies)]
        (target / f"variant-{number:04d}-{policy.path.name}").write_text(_variant(policy, number, rng), "utf-8")
        chunks += len(chunk_policy(policy)) + 1
        number += 1
    return chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=1000, help="grow the corpus to at least this many chunks")
    parser.add_argument("--queries", type=int, default=300, help="queries for the latency figures")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="knowledge-bench-"))
    os.environ["MISSIONS_HOME"] = str(work / "home")
    print(f"onnxruntime intra-op threads: {embeddings._thread_count()} (cpus: {os.cpu_count()})")

    source = default_source()
    started = time.perf_counter()
    first = build(source, directory=work / "real")
    print(
        f"real corpus: {len(first.added)} policies, {first.chunks_total} chunks; "
        f"cold build {time.perf_counter() - started:.2f}s (includes model load), problems {len(first.problems)}"
    )
    warm = build(source, directory=work / "real-warm")
    print(f"warm build (model loaded): {warm.seconds:.2f}s")
    noop = build(source, directory=work / "real")
    print(f"rebuild, nothing changed: {noop.seconds * 1000:.0f} ms, {noop.chunks_embedded} chunks embedded")

    if default_questions().is_file():
        quality = evaluate_retrieval(load_questions(), KnowledgeBase(work / "real"))
        print(
            f"retrieval quality ({quality.questions} questions): recall@1 {quality.recall_at_1:.3f}, "
            f"recall@3 {quality.recall_at_3:.3f}, MRR {quality.mrr:.3f}"
        )

    grown_source = work / "grown"
    grow_corpus(source, grown_source, args.chunks)
    grown = build(grown_source, directory=work / "grown-index")
    rate = grown.chunks_embedded / grown.seconds
    print(
        f"grown corpus: {len(grown.added)} policies, {grown.chunks_total} chunks; build {grown.seconds:.2f}s "
        f"({rate:.0f} chunks/s)"
    )
    noop = build(grown_source, directory=work / "grown-index")
    print(f"grown rebuild, nothing changed: {noop.seconds * 1000:.0f} ms, {noop.chunks_embedded} chunks embedded")
    one = next(iter(sorted(grown_source.glob("variant-*.md"))))
    one.write_text(one.read_text() + "\nOne more sentence.\n")
    changed = build(grown_source, directory=work / "grown-index")
    print(f"grown rebuild, one policy changed: {changed.seconds * 1000:.0f} ms, {changed.chunks_embedded} embedded")

    kb = KnowledgeBase(work / "grown-index")
    base = [q.question for q in load_questions()] if default_questions().is_file() else ["refund a double charge"]
    kb.search("warm up", k=5)
    for run, (label, kwargs) in enumerate(
        (
            ("no filter", {}),
            ("domain filter", {"domains": ["payments", "governance"]}),
            ("applies_to + date", {"applies_to": "payment_review", "effective_on": dt.date.today()}),
            ("governed view", {}),
        )
    ):
        target = kb.for_domains({"payments", "customer"}) if label == "governed view" else kb
        # Distinct texts per run: every query is embedded (the knowledge base caches repeated queries' vectors).
        queries = [f"{base[i % len(base)]} (case {run}-{i})" for i in range(args.queries)]
        latencies = []
        for query in queries:
            t0 = time.perf_counter()
            target.search(query, k=5, **kwargs)  # type: ignore[arg-type]
            latencies.append((time.perf_counter() - t0) * 1000)
        _report(f"query latency at {grown.chunks_total} chunks, {label}", latencies)
    repeated = []
    for i in range(args.queries):
        t0 = time.perf_counter()
        kb.search(base[i % len(base)], k=5, applies_to="payment_review")
        repeated.append((time.perf_counter() - t0) * 1000)
    _report("  repeated questions (cached query vector)", repeated)
    embed_only = []
    for i in range(args.queries):
        t0 = time.perf_counter()
        embeddings.embed_texts([f"{base[i % len(base)]} (embed {i})"])
        embed_only.append((time.perf_counter() - t0) * 1000)
    _report("  query embedding alone", embed_only)

    texts = [c.embed_text for p in load_corpus(grown_source).policies for c in chunk_policy(p)][:512]
    for batch_size in (1, 8, 32, 64):
        t0 = time.perf_counter()
        embeddings.embed_texts(texts, batch_size=batch_size)
        elapsed = time.perf_counter() - t0
        print(f"embedding throughput, {len(texts)} chunks, batch {batch_size:2}: {len(texts) / elapsed:5.0f} texts/s")
    short = [f"{q} (throughput)" for q in base * 4][:256]
    t0 = time.perf_counter()
    embeddings.embed_texts(short, batch_size=32)
    rate = len(short) / (time.perf_counter() - t0)
    print(f"embedding throughput, {len(short)} short queries, batch 32: {rate:5.0f} texts/s")


if __name__ == "__main__":
    main()
