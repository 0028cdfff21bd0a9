"""Benchmark: where a cold ``missions decide --reject`` spends its time, phase by phase, in one process.

Run, signed in as a reviewer on a copy of a demo home (deciding consumes the decision)::

    MISSIONS_HOME=/tmp/copy MISSIONS_TOKEN=... uv run python bench/decide_phases.py D-...

Prints the CPU and wall time of: Python start and the CLI's import, the sign-in and decision checks, importing the
runtime (LangGraph, langchain-core, langsmith, the MCP client), the mission registry, importing and building the
mission's graph, opening the runtime (checkpointer, compile), and the decision itself with the systems it opened.
Not a test.
"""

from __future__ import annotations

import sys
import time

_cpu, _wall = time.process_time(), time.perf_counter()


def lap(label: str) -> None:
    global _cpu, _wall
    cpu, wall = time.process_time(), time.perf_counter()
    print(f"{label:<56} {cpu - _cpu:5.2f} s CPU {wall - _wall:6.2f} s wall", flush=True)
    _cpu, _wall = cpu, wall


def main(decision_id: str) -> None:
    import anyio

    # deferred: start-up time (each import is timed as a phase)
    from ai_missions.cli.commands import _deciding_runtime, _store

    lap("python start -> import cli/commands")
    # deferred: start-up time (each import is timed as a phase)
    from ai_missions.kernel.settings import missions_home
    from ai_missions.services.identity import signed_in

    store = _store()
    reviewer = signed_in(missions_home(), store)
    decision = store.get_decision(decision_id)
    lap("sign-in + decision checks")
    # deferred: start-up time (each import is timed as a phase)
    import ai_missions.runtime  # noqa: F401

    lap("import runtime (langgraph, langchain_core, mcp)")
    # deferred: start-up time (each import is timed as a phase)
    from ai_missions.kernel.missions import get_mission

    spec = get_mission(decision.mission)
    lap("mission registry")

    async def decide() -> None:
        runtime = _deciding_runtime(decision.mission)
        spec.build_graph()
        lap("import + build the mission's graph")
        async with runtime:
            lap("open runtime (checkpointer, compile; no system)")
            outcome = await runtime.decide(decision_id, reviewer.name, reject_reason="bench")
            opened = sorted(runtime.systems.open_systems)  # type: ignore[attr-defined]
            lap(f"decide + resume: {outcome.status}, systems opened {opened}")

    anyio.run(decide)


if __name__ == "__main__":
    main(sys.argv[1])
