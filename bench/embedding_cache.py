"""The on-disk vector cache: CPU of a fresh process that builds the shipped policy index and searches it, as an eval
worker or a CLI command on a new home does, with the cache off, empty (cold) and filled by the process before (warm).

    python3 -m uv run python bench/embedding_cache.py [--repeat 3]

Each pass is a new interpreter (its CPU from ``getrusage`` of the children, so other work on the machine does not
count) with its own home and, for ``cold``, its own empty cache folder; ``warm`` reuses the folder ``cold`` filled.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: What a fresh process does: open the knowledge base of a new home (which builds the index) and ask it questions.
CHILD = """
from pathlib import Path
import sys
from ai_missions.evals.solve import open_knowledge
knowledge = open_knowledge(Path(sys.argv[1]))
for question in ("release a payment hold after an address change", "who approves a refund over the limit",
                 "the parcel arrived damaged", "cancel an order before it ships"):
    knowledge.search(question, k=5)
"""


def one_pass(cache: Path, entries: str) -> tuple[float, float]:
    """CPU and wall seconds of one fresh process on a new home."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MISSIONS_CACHE_DIR": str(cache), "MISSIONS_EMBEDDING_CACHE_ENTRIES": entries}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, home], env=env, check=True, capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {"off": [], "cold": [], "warm": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            cache = Path(folder)
            # the optimised model is kept in the same folder: make it once, so that each pass loads it alike
            subprocess.run(
                [sys.executable, "-c", "from ai_missions.knowledge_index.embeddings import load_model; load_model()"],
                env={**os.environ, "MISSIONS_CACHE_DIR": str(cache)},
                check=True,
            )
            figures["off"].append(one_pass(cache, "0"))
            figures["cold"].append(one_pass(cache, ""))
            figures["warm"].append(one_pass(cache, ""))
    cpu = {mode: statistics.median(c for c, _ in runs) for mode, runs in figures.items()}
    for mode, runs in figures.items():
        listed = ", ".join(f"{c:.2f}" for c, _ in runs)
        walls = ", ".join(f"{w:.2f}" for _, w in runs)
        print(f"{mode:>4}: CPU {listed} s (median {cpu[mode]:.2f}); wall {walls} s")
    print(
        f"fresh process, build + 4 searches: warm cache {cpu['warm']:.2f} s CPU against {cpu['off']:.2f} s without "
        f"({cpu['off'] / cpu['warm']:.1f}x less); an empty cache costs {cpu['cold'] - cpu['off']:+.2f} s to fill"
    )


if __name__ == "__main__":
    main()
