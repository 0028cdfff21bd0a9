"""A mission's graph as its callers reach it: LangGraph's server, the runtime, a notebook.

LangGraph lets a caller do more with a thread than run it: start it with ``Command(update=..., goto=...)`` at any
step with any state, write its state ``as_node`` any step (``update_state``, ``bulk_update_state``), and pass any
``context``. A mission's thread is one run: it starts at its start from its subject alone, is continued only by a
reviewer's answer (``Command(resume=...)``) or from where it stopped (no input), its state is written by its steps
only, and its context carries only what a client may choose (:func:`~ai_missions.nodes.context.server_context`).
Anything else is refused here in one line, before a step runs. The steps check the same again on the state they
are handed (:mod:`ai_missions.nodes.trust`), whoever reached them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langgraph.graph import StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from ai_missions.kernel.errors import ForbiddenError, ValidationError
from ai_missions.nodes.context import server_context
from ai_missions.nodes.trust import INPUT_FIELDS

#: Why a write of a thread's state from outside its steps is refused.
NO_STATE_WRITES = (
    "a mission's state is written by its own steps only: update_state and bulk_update_state are refused; "
    "start a run from its subject, or answer its decision"
)


def admitted(input: Any) -> None:
    """Refuse, in one line, what a mission's thread may not be given: anything but its subject and trigger to start,
    a reviewer's answer to continue, or nothing (go on from where it stopped)."""
    if input is None:
        return
    if isinstance(input, Command):
        if input.update is not None or input.goto or input.graph is not None:
            raise ForbiddenError(
                "a mission's run is continued only by a reviewer's answer (Command(resume=...)); "
                "Command(update=...) and Command(goto=...) are refused: nothing ran"
            )
        return
    if not isinstance(input, Mapping):
        raise ValidationError(f"a run starts from {{subject_id, trigger}}, not {type(input).__name__}")
    if extra := sorted(str(k) for k in input if k not in INPUT_FIELDS):
        raise ForbiddenError(
            f"a run starts from its subject alone ({', '.join(INPUT_FIELDS)}); its input also names "
            f"{', '.join(extra)}: nothing ran"
        )


class MissionGraph(CompiledStateGraph[Any, Any, Any, Any]):
    """A compiled mission graph that admits only a run's own inputs (:func:`admitted`), the server's context, and no
    state written from outside."""

    @classmethod
    def of(cls, compiled: CompiledStateGraph[Any, Any, Any, Any]) -> MissionGraph:
        """``compiled`` as a mission graph (made as ``Pregel.copy`` makes a copy: from its attributes)."""
        return cls(**{k: v for k, v in compiled.__dict__.items() if k != "__orig_class__"})

    def stream(self, input: Any, config: Any = None, **kwargs: Any) -> Iterator[Any]:
        admitted(input)
        kwargs["context"] = server_context(kwargs.get("context"))
        yield from super().stream(input, config, **kwargs)

    async def astream(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        admitted(input)
        kwargs["context"] = server_context(kwargs.get("context"))
        async for chunk in super().astream(input, config, **kwargs):
            yield chunk

    def bulk_update_state(self, config: Any, supersteps: Any) -> Any:
        raise ForbiddenError(NO_STATE_WRITES)

    async def abulk_update_state(self, config: Any, supersteps: Any) -> Any:
        raise ForbiddenError(NO_STATE_WRITES)

    def update_state(self, config: Any, values: Any, as_node: Any = None, task_id: Any = None) -> Any:
        raise ForbiddenError(NO_STATE_WRITES)

    async def aupdate_state(self, config: Any, values: Any, as_node: Any = None, task_id: Any = None) -> Any:
        raise ForbiddenError(NO_STATE_WRITES)


class MissionBuilder(StateGraph[Any, Any, Any, Any]):
    """A mission's uncompiled graph: compiling it (with whatever checkpointer) makes a :class:`MissionGraph`."""

    def compile(self, *args: Any, **kwargs: Any) -> MissionGraph:
        return MissionGraph.of(super().compile(*args, **kwargs))
