"""The policy index built once per test session (shared by the xdist workers) and copied into each home that needs
one: a build embeds ~320 sections (~6 s of CPU), which ~20 modules each paid for the same index. A copy is what
the build would have written (the manifest names the same source files, so ``changed_since_build`` is empty);
the index's own behaviour (incremental rebuilds, problems, the embedder) is tested in ``test_knowledge_index``."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from ai_missions.kernel.settings import knowledge_dir
from ai_missions.knowledge_index.index import build
from ai_missions.knowledge_index.policies import corpus_sources


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The session's temporary root: with xdist, the parent of every worker's own (``popen-gwN``)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_index(factory: pytest.TempPathFactory, home: Path, source: Path | Sequence[Path] | None = None) -> Path:
    """``home``'s knowledge directory holding the index of ``source`` (default: every default policy folder),
    built without problems; the first caller in the session builds it, under a lock the workers share."""
    sources = [str(s) for s in corpus_sources(source)]
    key = hashlib.sha256("\n".join([os.environ.get("MISSIONS_EMBEDDER", ""), *sources]).encode()).hexdigest()[:12]
    root = shared_root(factory)
    template = root / f"policy-index-{key}"
    with open(root / f"policy-index-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / ".ready").exists():
            shutil.rmtree(template, ignore_errors=True)
            report = build(source, directory=template)
            assert not report.problems, report.problems
            (template / ".ready").touch()
    target = knowledge_dir(home)
    shutil.copytree(template, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ready", ".build.lock"))
    return target
