"""The manifest an index build writes (``manifest.json``: every indexed policy's path and text, the build id, the
embedder): read by the index, by retrieval and by the policy book, which decides without the vector store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ai_missions.kernel.settings import knowledge_dir

MANIFEST = "manifest.json"


def manifest_path(directory: Path | None = None) -> Path:
    return (directory or knowledge_dir()) / MANIFEST


def read_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The manifest, or an empty one when the index was never built."""
    path = manifest_path(directory)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"policies": {}}
    data.setdefault("policies", {})
    return data
