"""The two timeout settings read one way: a number of seconds in (0, 3600], anything else refused by name."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.settings import call_timeout_s, llm_timeout_s

SETTINGS = [("MISSIONS_LLM_TIMEOUT_S", llm_timeout_s, 60.0), ("MISSIONS_CALL_TIMEOUT_S", call_timeout_s, 10.0)]


@pytest.mark.parametrize(("name", "read", "default"), SETTINGS)
def test_a_timeout_is_its_default_or_the_seconds_set(
    monkeypatch: pytest.MonkeyPatch, name: str, read: Callable[[], float], default: float
) -> None:
    monkeypatch.delenv(name, raising=False)
    assert read() == default
    monkeypatch.setenv(name, "2.5")
    assert read() == 2.5


@pytest.mark.parametrize("text", ["soon", "0", "-1", "3601", "nan"])
@pytest.mark.parametrize(("name", "read", "default"), SETTINGS)
def test_a_timeout_out_of_range_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, read: Callable[[], float], default: float, text: str
) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(ValidationError, match=name):
        read()
