"""A mission's words kept as data: ``Vocabulary.read`` builds the vocabulary from a TOML file (fields built in code
stand in for the file's), and a file that names a field a vocabulary does not have is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.kernel.errors import ValidationError
from ai_missions.mission_api import Vocabulary

WORDS = """
types_fact = "claim.types"
case_types = ["in_warranty", "repeat_claim"]
outcomes = ["approve", "escalate"]
advancing_outcomes = ["approve"]
domains = ["warranty"]

[facts]
"claim.types" = ["list", "what the claim is"]
"claim.credit" = ["number", "the credit a covered claim earns"]
"""


def test_a_vocabulary_is_read_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text(WORDS)
    words = Vocabulary.read(path)
    assert words.case_types == ("in_warranty", "repeat_claim")
    assert words.advancing_outcomes == ("approve",)
    assert words.facts == {
        "claim.types": ("list", "what the claim is"),
        "claim.credit": ("number", "the credit a covered claim earns"),
    }
    assert Vocabulary.read(path, case_types=("out_of_warranty",)).case_types == ("out_of_warranty",)


def test_a_field_a_vocabulary_does_not_have_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text('intents = ["refund"]\n' + WORDS)
    with pytest.raises(ValidationError) as refused:
        Vocabulary.read(path)
    assert "intents" in str(refused.value)
    assert "\n" not in str(refused.value)
