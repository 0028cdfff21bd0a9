"""A mission's reading as a typed model (issue 57: one reader, typed output).

A mission declares what it reads from what people wrote as a model with one field per fact kind it decides on
(:func:`reading_model`), each field holding what was said of that kind with the words that decide it, and a field
for what was not read. Both readers (the rules and the LLM) fill the same model from their :class:`Reading`
(:func:`typed`), and the reading set is scored field by field (``missions eval reading``): the two readers are two
implementations of one reading, compared on the same fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ai_missions.nodes.reading import KINDS, Polarity, Reading


class Said(BaseModel):
    """What was said of one kind: its polarity (None: nothing of it read), its value, and the words that decide it
    with the record and field they were written in; ``earlier``: what it overruled, oldest first."""

    model_config = ConfigDict(frozen=True)

    polarity: Polarity | None = None
    value: Any = None
    words: str = ""
    record: str = ""
    field: str = ""
    reader: str = ""
    earlier: tuple[str, ...] = ()


class NotRead(BaseModel):
    """A statement about the subject the reader could not place, and why."""

    model_config = ConfigDict(frozen=True)

    words: str
    record: str
    field: str
    why: str
    terms: tuple[str, ...] = ()


@cache
def reading_model(name: str, kinds: tuple[str, ...]) -> type[BaseModel]:
    """The typed reading of a mission that decides on ``kinds``: a field per kind (described by the kind) and
    ``unexplained``, what was not read."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"{name}: unknown fact kinds {unknown}")
    fields: dict[str, Any] = {
        kind: (Said, Field(default_factory=Said, description=KINDS[kind].description)) for kind in kinds
    }
    fields["unexplained"] = (tuple[NotRead, ...], Field(default=(), description="statements not placed"))
    return create_model(name, __config__=ConfigDict(frozen=True), **fields)


def typed(reading: Reading, model: type[BaseModel]) -> BaseModel:
    """A reading as the mission's typed model: each kind's fact (the later word, with what it overruled) and what
    was not read."""
    values: dict[str, Any] = {}
    for kind in model.model_fields:
        fact = reading.facts.get(kind)
        if kind == "unexplained" or fact is None:
            continue
        source = fact.evidence.source
        values[kind] = Said(
            polarity=fact.polarity,
            value=fact.value,
            words=fact.evidence.words,
            record=source.record,
            field=source.field,
            reader=fact.reader,
            earlier=tuple(f.evidence.words for f in reading.overruled(kind)),
        )
    values["unexplained"] = tuple(
        NotRead(words=p.words, record=s.record, field=s.field, why=p.why, terms=p.terms) for s, p in reading.unexplained
    )
    return model(**values)


def kinds_of(model: type[BaseModel]) -> Sequence[str]:
    """The fact kinds a typed reading has a field for."""
    return [name for name in model.model_fields if name in KINDS]
