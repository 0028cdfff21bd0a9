"""The reading dataset and its score: hand-written snippets (staff notes, supplier e-mails, customer messages,
address lines; en, es, fr, de) with the facts a careful reader takes from each, across the five missions.

``reading_data/snippets.tsv``: mission, language, source, text, labels (``kind=polarity[:value]``, ``none`` when the
text states nothing of that kind), split (``dev`` or ``holdout``). The split is written in the file so that adding
snippets never moves one the reader was tuned on into the holdout; the holdout is never tuned on. Per fact kind:
precision and recall of positive facts (a positive needs the right value), how often a negated, hedged or
conditional statement became a positive fact, and how often a wrong fact would have changed a decision (a wrong
positive or a missed one on a kind that decides money or stock).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ai_missions.kernel.errors import ValidationError
from ai_missions.nodes.reading import KINDS, Reader, Source, read

DATA = Path(__file__).with_name("reading_data") / "snippets.tsv"
TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Snippet:
    id: int
    mission: str
    language: str
    source: str
    text: str
    labels: dict[str, tuple[str, Any]]
    holdout: bool


_POLARITIES = frozenset({"affirmed", "negated", "hedged", "conditional", "none"})


def _value(kind: str, raw: str | None) -> Any:
    if raw is None:
        return True if KINDS[kind].value == "flag" else None
    return raw if KINDS[kind].value == "method" else float(raw)


def load(path: Path = DATA) -> list[Snippet]:
    snippets = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        where = f"{path.name}:{number + 1}"
        fields = line.split("\t")
        if len(fields) != 6:
            raise ValidationError(f"{where}: 6 tab-separated fields expected, found {len(fields)}")
        mission, language, source, text, labels, split = fields
        if split not in ("dev", "holdout"):
            raise ValidationError(f"{where}: split must be dev or holdout, not {split!r}")
        parsed = {}
        for label in labels.replace(",", " ").split():  # labels apart by spaces or commas
            kind, _, rest = label.partition("=")
            polarity, _, raw = rest.partition(":")
            if kind not in KINDS or polarity not in _POLARITIES:
                raise ValidationError(f"{where}: {label!r} is not kind=polarity[:value] of a known kind")
            try:
                parsed[kind] = (polarity, _value(kind, raw or None))
            except ValueError:
                raise ValidationError(f"{where}: {label!r}: the value of {kind} is a number") from None
        snippets.append(Snippet(number, mission, language, source, text, parsed, split == "holdout"))
    return snippets


def spread(snippets: Sequence[Snippet], count: int) -> list[Snippet]:
    """``count`` snippets taken at even steps through the set, first one included: a slow reader (a local model,
    ~20 s a snippet) is scored on a sample that covers a set written kind by kind, not on its first kinds only."""
    if count < 1:
        raise ValidationError("--sample must be at least 1")
    if count >= len(snippets):
        return list(snippets)
    return [snippets[i * len(snippets) // count] for i in range(count)]


def _same(kind: str, a: Any, b: Any) -> bool:
    if KINDS[kind].value in ("amount", "days"):
        return a is not None and b is not None and abs(float(a) - float(b)) <= (0.005 if kind != "restock_eta" else 1)
    return bool(a == b)


def score(snippets: Sequence[Snippet], reader: Reader) -> dict[str, Any]:
    """Per kind: tp/fp/fn, precision, recall, negated_read_positive, decision_changing (count and rate)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for snippet in snippets:
        kinds = sorted(snippet.labels)
        reading = read(
            [(Source(snippet.mission, str(snippet.id), snippet.source), snippet.text)],
            kinds,
            reader,
            today=TODAY,
            placing=True,
        )
        placed = not reading.unexplained
        for kind in kinds:
            polarity, value = snippet.labels[kind]
            fact = reading.get(kind)
            got = fact is not None and fact.polarity == "affirmed"
            right = got and fact is not None and _same(kind, fact.value, value)
            labels.append({"id": snippet.id, "kind": kind, "label": polarity, "positive": got, "right": right,
                           "placed": placed})  # fmt: skip
            c = counts[kind]
            c["n"] += 1
            if polarity == "affirmed":
                if got and fact is not None and _same(kind, fact.value, value):
                    c["tp"] += 1
                else:
                    c["fn"] += 1
                    c["fp"] += int(got)  # a positive with the wrong value is also a false one
            elif got:
                c["fp"] += 1
                c["negated_read_positive"] += int(polarity in ("negated", "hedged", "conditional"))
            else:
                continue
            if c["tp"] and got and polarity == "affirmed" and fact is not None and _same(kind, fact.value, value):
                continue
            c["decision_changing"] += int(KINDS[kind].decides != "other")
            wrong.append(
                {
                    "id": snippet.id,
                    "kind": kind,
                    "text": snippet.text,
                    "label": polarity,
                    "read": fact.as_dict() if fact else None,
                    "placed": placed,
                    "unexplained": [p.words for _, p in reading.unexplained],
                }
            )
    table = {}
    for kind, c in sorted(counts.items()):
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        table[kind] = {
            "snippets": c["n"],
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "negated_read_positive": c["negated_read_positive"],
            "decision_changing_rate": round(c["decision_changing"] / c["n"], 3),
        }
    deciding = [k for k in counts if KINDS[k].decides != "other"]
    tp = sum(counts[k]["tp"] for k in deciding)
    fp = sum(counts[k]["fp"] for k in deciding)
    fn = sum(counts[k]["fn"] for k in deciding)
    return {
        "snippets": len(snippets),
        "kinds": table,
        "money_or_stock": {
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "negated_read_positive": sum(counts[k]["negated_read_positive"] for k in counts),
        },
        "wrong": wrong,
        "labels": labels,
    }


def overall(snippets: Sequence[Snippet], result: dict[str, Any]) -> dict[str, Any]:
    """One line for a whole set (an outside one too): precision and recall of positive facts over every kind, each
    label that must not be positive counted where it was read as positive (negated, hedged, conditional, none), and
    how often a positive read had the right value."""
    labels = Counter(polarity for s in snippets for polarity, _ in s.labels.values())
    affirmed = labels["affirmed"]
    positive = [w for w in result["wrong"] if w["read"] and w["read"]["polarity"] == "affirmed"]
    dangerous = [w for w in positive if w["label"] != "affirmed" and w["read"]["confidence"] >= 0.6]
    wrong_value = [w for w in positive if w["label"] == "affirmed" and w["read"]["confidence"] >= 0.6]
    missed = [w for w in result["wrong"] if w["label"] == "affirmed" and w not in wrong_value]
    tp = affirmed - len(wrong_value) - len(missed)
    fp = len(dangerous) + len(wrong_value)
    return {
        "snippets": len(snippets),
        "labels": dict(labels),
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / affirmed, 3) if affirmed else None,
        "not_affirmed_read_positive": len(dangerous),
        "by_label": dict(Counter(w["label"] for w in dangerous)),
        "values_right_on_positive_reads": round(tp / (tp + len(wrong_value)), 3) if tp + len(wrong_value) else None,
        **placed_figures(snippets, result),
    }


def placed_figures(snippets: Sequence[Snippet], result: dict[str, Any]) -> dict[str, Any]:
    """What a mission may act on (issue 57): a positive read counts only in a text the reader placed whole (no
    statement unexplained); elsewhere the mission asks or escalates. ``coverage``: the share of texts placed whole;
    ``placed_precision`` and ``placed_recall`` (of every affirmed label); ``placed_not_affirmed_read_positive``:
    the dangerous reads among those placed, the figure that must be 0."""
    read = result.get("labels") or []
    placed = [r for r in read if r["placed"]]
    tp = sum(1 for r in placed if r["label"] == "affirmed" and r["right"])
    fp = sum(1 for r in placed if r["positive"] and not (r["label"] == "affirmed" and r["right"]))
    dangerous = sum(1 for r in placed if r["positive"] and r["label"] != "affirmed")
    affirmed = sum(1 for r in read if r["label"] == "affirmed")
    whole = len({r["id"] for r in placed})
    return {
        "coverage": round(whole / len(snippets), 3) if snippets else None,
        "placed_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "placed_recall": round(tp / affirmed, 3) if affirmed else None,
        "placed_not_affirmed_read_positive": dangerous,
    }
