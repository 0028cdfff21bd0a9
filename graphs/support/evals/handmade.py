"""Score the message reader on messages written by hand, the way customers write, not by the case generator.

The generated set is phrased by the generator the reader was tuned on; this set (``data/handmade_messages.jsonl``:
text, the intents a support lead reads, a note) checks that the reader generalises. Scored on exact intent-set
match, per intent (found / expected, and false readings), and false action intents: an intent that leads to money
or an order being changed (a refund, a cancellation) read where the customer did not ask for it.

``python -m ai_missions.graphs.support.evals.handmade [--holdout]`` prints the report and each message read wrongly.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.vocabulary import INTENTS

DATA = Path(__file__).resolve().parent / "data"
HANDMADE = DATA / "handmade_messages.jsonl"
#: Written after the reader was widened and never tuned on: how well the widening generalises.
HOLDOUT = DATA / "handmade_holdout.jsonl"

#: Intents whose policies can move money or change an order (refund, cancel, ship-to, exchange): reading one wrongly
#: is a false action.
ACTION_INTENTS: tuple[str, ...] = (
    "double_charge",
    "return_refund",
    "cancel_order",
    "change_address",
    "damaged_item",
    "wrong_item",
    "exchange_variant",
)


@dataclass
class HandmadeReport:
    """How the reader did on the hand-made messages."""

    cases: int = 0
    exact: int = 0
    #: intent -> [messages expecting it, of those read with it, messages read with it wrongly]
    per_intent: dict[str, list[int]] = field(default_factory=lambda: {i: [0, 0, 0] for i in INTENTS})
    false_actions: list[tuple[str, str]] = field(default_factory=list)  # (text, intent)
    misses: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    #: Messages that say which variant they want or write out an address (``options``/``gives_address`` in the
    #: set), and how many of those the reader got exactly.
    details: int = 0
    details_ok: int = 0
    detail_misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.cases if self.cases else 0.0


def load(path: Path = HANDMADE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(messages: list[dict[str, Any]]) -> HandmadeReport:
    report = HandmadeReport()
    for message in messages:
        text = str(message["text"])
        expected = {str(i) for i in message["intents"]}
        reading = read_message(text)
        found = set(reading.intents)
        for key, got in (("options", sorted(reading.options)), ("gives_address", reading.gives_address)):
            if key in message:
                want = sorted(message[key]) if key == "options" else bool(message[key])
                report.details += 1
                report.details_ok += got == want
                if got != want:
                    report.detail_misses.append(f"{key} {want} got {got}: {text!r}")
        report.cases += 1
        report.exact += found == expected
        for intent in INTENTS:
            counts = report.per_intent[intent]
            counts[0] += intent in expected
            counts[1] += intent in expected and intent in found
            counts[2] += intent in found and intent not in expected
        report.false_actions += [(text, i) for i in sorted(found - expected) if i in ACTION_INTENTS]
        if found != expected:
            report.misses.append((text, tuple(sorted(expected)), tuple(sorted(found))))
    return report


def render(report: HandmadeReport) -> str:
    lines = [f"hand-made messages: {report.cases}, exact intent match {report.accuracy:.1%} ({report.exact})"]
    for intent, (want, got, wrong) in report.per_intent.items():
        lines.append(f"  {intent:<17} found {got}/{want}  read wrongly {wrong}")
    lines.append(f"variants named / addresses written: {report.details_ok}/{report.details} read exactly")
    lines += [f"  {m}" for m in report.detail_misses]
    lines.append(f"false action intents: {len(report.false_actions)}")
    lines += [f"  {intent}: {text!r}" for text, intent in report.false_actions]
    lines.append("read differently:")
    lines += [f"  {list(want)} got {list(got)}: {text!r}" for text, want, got in report.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(render(score(load(HOLDOUT if "--holdout" in args else HANDMADE))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
