"""How the warranty mission asks Enterprise Knowledge about each kind of claim."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

QUESTIONS = {
    "in_warranty": "warranty claim filed within the warranty period: covered defects and the credit",
    "out_of_warranty": "warranty claim filed after the warranty period ended",
    "repeat_claim": "second warranty claim on a serial number already credited",
}


def question_for(case_type: str, facts: Mapping[str, Any]) -> str:
    return QUESTIONS[case_type]
