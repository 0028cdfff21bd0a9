"""A mission is one typed record, ``Mission[Request, Facts]``, registered once: its parts are the objects
themselves (the prompt, the trigger, the eval plugin) or functions (the graph, the rules, the question), never
``"module:attribute"`` strings, and a declaration that names a part by a string is refused in one line."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ai_missions.kernel.errors import ValidationError
from ai_missions.kernel.missions import Mission, get_mission, registry

_MODULE_PATH = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$")


@pytest.mark.parametrize("name", sorted(registry()))
def test_no_part_of_a_registered_mission_is_named_by_a_string(name: str) -> None:
    mission = get_mission(name)
    assert isinstance(mission, Mission)
    for field in ("graph", "invariants", "question"):
        assert callable(getattr(mission, field)), field
    assert isinstance(mission.prompt.ROLE, str)
    assert mission.trigger is None or callable(mission.trigger.find)
    named = {
        f.name: value
        for f in dataclasses.fields(mission)
        if isinstance(value := getattr(mission, f.name), str) and ":" in value and _MODULE_PATH.match(value)
    }
    assert named == {}
    if mission.evals is not None:
        assert mission.eval_plugin().mission == name


@pytest.mark.parametrize(
    ("part", "thing"),
    [("graph", "function"), ("metrics", "function"), ("prompt", "object"), ("trigger", "object"), ("evals", "object")],
)
def test_a_part_named_by_a_string_is_refused_in_one_line(part: str, thing: str) -> None:
    planted = "ai_missions.graphs.order_exception.nowhere:PART"
    with pytest.raises(ValidationError) as refused:
        dataclasses.replace(get_mission("order-exception"), **{part: planted})
    assert str(refused.value) == (
        f"the order-exception mission: its {part} names it by a string ('{planted}'): hand over the {thing} itself"
    )


def test_a_part_that_is_not_what_it_must_be_is_refused_in_one_line() -> None:
    with pytest.raises(ValidationError, match=r"^the order-exception mission: its prompt gives dict: hand over"):
        dataclasses.replace(get_mission("order-exception"), prompt={"ROLE": "someone"})
    with pytest.raises(ValidationError, match=r"^the order-exception mission: its graph gives int: hand over"):
        dataclasses.replace(get_mission("order-exception"), graph=3)
