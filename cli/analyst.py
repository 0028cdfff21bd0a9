"""What the analysts' notebooks share: one built home (every book seeded, the policy index built) that each
notebook copies instead of rebuilding the index (26-72 s a notebook before), and charts drawn without a browser
or a CDN: Altair renders to PNG through vl-convert, so a chart shows offline and is kept as an image file.

``MISSIONS_NOTEBOOK_HOME`` names where the built home lives (default ``~/.cache/ai-missions/notebook-home``);
``MISSIONS_FIGURES`` where charts are saved (default ``figures/`` beside the notebook).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from ai_missions.cli.demo import seed_and_index
from ai_missions.knowledge_index.policies import default_sources
from ai_missions.services.review import args_text

#: The book every notebook starts from (the demo's: the flagship stories are in it).
ORDERS, SEED = 2000, 7


def _fingerprint() -> str:
    """What the built home depends on: the policies and the book's size; a change rebuilds it."""
    digest = hashlib.sha256(f"{ORDERS}:{SEED}".encode())
    for source in default_sources():
        for path in sorted(source.rglob("*.md")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def built_home() -> Path:
    """The shared built home, built on first use (one process at a time; the others wait and reuse it)."""
    base = Path(os.environ.get("MISSIONS_NOTEBOOK_HOME") or Path.home() / ".cache" / "ai-missions" / "notebook-home")
    ready = base / ".ready"
    wanted = _fingerprint()
    if ready.exists() and ready.read_text() == wanted:
        return base
    base.parent.mkdir(parents=True, exist_ok=True)
    with open(base.parent / f".{base.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ready.exists() and ready.read_text() == wanted):
            shutil.rmtree(base, ignore_errors=True)
            base.mkdir()
            for line in seed_and_index(base, orders=ORDERS, seed=SEED):
                print(line)
            ready.write_text(wanted)
    return base


def notebook_home(name: str) -> Path:
    """A fresh copy of the built home for one notebook to change as it likes (seconds, not a rebuild)."""
    source = built_home()
    home = Path(tempfile.mkdtemp(prefix=f"missions-{name}-"))
    shutil.copytree(source, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ready"))
    return home


def offline_charts() -> None:
    """Altair charts render as PNG images in the notebook (vl-convert, in process): no JavaScript, no CDN."""
    alt.renderers.enable("png", scale_factor=1.5)


def figures_dir() -> Path:
    path = Path(os.environ.get("MISSIONS_FIGURES") or Path.cwd() / "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_chart(chart: alt.TopLevelMixin, name: str) -> alt.TopLevelMixin:
    """Save ``chart`` as ``<figures>/<name>.png`` and return it (shown as that image in the notebook)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "chart"
    chart.save(str(figures_dir() / f"{safe}.png"), format="png", scale_factor=1.5)
    return chart


# -- tables a person reads: arguments as text, not dicts (issue 60 item 9) --------------------------------------------
def plan_table(actions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A verdict's actions, one row each: the tool, its arguments as ``order_id=SO-101851``, the policies it cites,
    its tier and why."""
    return pd.DataFrame(
        [
            {
                "tool": a.get("tool"),
                "arguments": args_text(a.get("args") or {}),
                "policies": ", ".join(a.get("policy_ids") or []),
                "tier": a.get("action_tier") or a.get("tier") or "",
                "why": a.get("why") or "",
            }
            for a in actions
        ]
    )


def interrupts_table(interrupts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A decision's request, one agent-inbox ``HumanInterrupt`` a row: the action and its arguments, the answers it
    allows (``accept, edit, respond``), the decision and its policies."""
    rows = []
    for interrupt in interrupts:
        request, config, meta = (
            interrupt["action_request"],
            interrupt.get("config") or {},
            interrupt.get("metadata") or {},
        )
        rows.append(
            {
                "action": request["action"],
                "arguments": args_text(request.get("args") or {}),
                "answers": ", ".join(k.removeprefix("allow_") for k, allowed in config.items() if allowed),
                "decision": meta.get("decision_id", ""),
                "policies": ", ".join(meta.get("policy_ids") or []),
            }
        )
    return pd.DataFrame(rows)
