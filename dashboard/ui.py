"""Small Streamlit pieces every page uses: badges, empty states, pagination, links and the query timer."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ai_missions.dashboard.model import OUTCOME_COLOR, STATUS_STYLE
from ai_missions.services.governance import CUSTOMER_ROLE

#: Page files, relative to ``app.py`` (what ``st.page_link`` and ``st.switch_page`` take).
OVERVIEW = "views/overview.py"
QUEUE = "views/queue.py"
RUNS = "views/runs.py"
RUN = "views/run.py"
KNOWLEDGE = "views/knowledge.py"
EVALS = "views/evals.py"

#: Session-state key of the signed-in account (set only by signing in, server-side; no widget or URL sets it).
REVIEWER_KEY = "reviewer"


#: The marks Markdown, Streamlit's directives (``:red[...]``, ``:material/...:``), math (``$``), HTML (``<``, ``&``)
#: and links/images (``![..](..)``) give a meaning to anywhere in a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~:$&@])")
#: Marks that only mean something at the start of a line (lists, quotes, headings, rules).
_LINE_START = re.compile(r"^(\s*\d*)([-+.)])")
#: Bare web addresses GFM turns into links.
_WWW = re.compile(r"(?i)\b(www)\.")


def plain(value: object) -> str:
    """Untrusted text (from systems, customers, documents, reviewers) made literal inside Streamlit Markdown:
    its meaningful marks backslash-escaped, line breaks flattened. ``**APPROVED**`` shows as typed."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    text = _WWW.sub(r"\1\\.", text)
    return _LINE_START.sub(r"\1\\\2", text, count=1)


def paragraphs(value: object) -> str:
    """Untrusted text with its line breaks kept, as its reader will see it (a message's body): each line made
    literal as :func:`plain` makes it, a blank line a new paragraph. No ``\\n`` is shown as two characters."""
    blocks = re.split(r"\n\s*\n", str(value).replace("\r\n", "\n").strip())
    return "\n\n".join("  \n".join(plain(line) for line in block.splitlines() if line.strip()) for block in blocks)


def quoted(value: object) -> str:
    """:func:`paragraphs` as a Markdown block quote: a message set apart from the page around it."""
    return "\n".join(f"> {line}" if line else ">" for line in paragraphs(value).split("\n"))  # hard breaks kept


def status_badge(status: str | None) -> str:
    """Inline markdown badge for a run status."""
    label, color = STATUS_STYLE.get(status or "", (status or "unknown", "gray"))
    return f":{color}-badge[{label}]"


def outcome_badge(outcome: str | None, confidence: float | None = None) -> str:
    if not outcome:
        return ":gray-badge[no verdict]"
    text = f"{outcome} {confidence:.0%}" if confidence is not None else outcome
    return f":{OUTCOME_COLOR.get(outcome, 'gray')}-badge[{text}]"


def empty_state(message: str) -> None:
    """What to do next when there is nothing to show."""
    st.info(message, icon=":material/lightbulb:")


def reviewer() -> str | None:
    value = st.session_state.get(REVIEWER_KEY)
    return str(value) if value else None


def audience(role: str | None) -> str:
    """Who the signed-in account's role lets see what: ``staff`` (every operations page), ``customer`` (the
    customer portal only) or ``visitor`` (not signed in: the sign-in only)."""
    if not role:
        return "visitor"
    return "customer" if role == CUSTOMER_ROLE else "staff"


class QueryTimer:
    """Adds up the time spent reading the store for a page, to show it under the page."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started

    def caption(self, what: str = "") -> None:
        prefix = f"{what} · " if what else ""
        st.caption(f"{prefix}store queries {self.seconds * 1000:.1f} ms")


def _turn(key: str, delta: int) -> None:
    st.session_state[key] = int(st.session_state.get(key, 1)) + delta


def pager(total: int, page_size: int, key: str) -> int:
    """Previous / next buttons and where the page stands; returns the offset of the page to show."""
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(st.session_state.get(key, 1)), pages))
    st.session_state[key] = page
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    left.button("‹ Prev", key=f"{key}-prev", disabled=page <= 1, on_click=_turn, args=(key, -1), width="stretch")
    right.button("Next ›", key=f"{key}-next", disabled=page >= pages, on_click=_turn, args=(key, 1), width="stretch")
    first = (page - 1) * page_size + 1 if total else 0
    middle.markdown(
        f"<div style='text-align:center'>Page {page} of {pages} · {first:,}-{min(page * page_size, total):,}"
        f" of {total:,}</div>",
        unsafe_allow_html=True,
    )
    return (page - 1) * page_size
