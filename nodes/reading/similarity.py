"""How close in meaning short texts are, by the shipped embedding model (all-MiniLM-L6-v2, offline): what a mission
uses to match a person's own word for a thing against the names its systems hold ("the bike" of a Bicycle, "my
cologne" of a Perfume), where no word list could name every way people say them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ai_missions.knowledge_index.embeddings import embed_texts_cached


def closeness(texts: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
    """Each text (rows) against each candidate (columns): the cosine of their vectors, -1 to 1. Vectors are kept in
    memory per process and never read from a file (a caller may be inside an event loop)."""
    if not texts or not candidates:
        return np.zeros((len(texts), len(candidates)), dtype=np.float32)
    return embed_texts_cached(list(texts), disk=False) @ embed_texts_cached(list(candidates), disk=False).T
