"""What an eval replay must spend whatever the mission does, against the floor: the room the 1.5x goal leaves.

    python3 -m uv run python bench/replay_budget.py [--mission M] [--cases N]

All in one run, on one machine:

1. the floor (bench/floor.py): a do-nothing graph of the mission's shape plus 5 no-op MCP calls;
2. a replay's CPU per case (harness, mission and its MCP servers; one process, one sandbox), as bench/workers.py
   measures it;
3. a profile pass over the same cases, counting what any replay of these cases must do: the MCP calls the mission
   makes (its reads and the approved writes), each costed at the CPU of its cheapest read (client and server), the
   snapshot load and end-state comparison the harness needs, and the run store's audit trail and decision queue;
4. those parts with the floor's graph, as a ratio to the floor, and the room the 1.5x goal leaves for the mission's
   own work (reading its findings, retrieving and applying policy, the guard, the signed decision, checkpointing a
   real state) beside what that work costs now.

The parts are lower bounds: every call is costed as a read (a write costs the server more) and the graph as the
do-nothing one. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from _replay import mcp_call_cpu, profile
from floor import READS, floor_parts
from workers import replay_cpu_ms

from ai_missions.evals.harness import Task
from ai_missions.evals.profiling import MCP_STAGE
from ai_missions.evals.solve import open_knowledge

GOAL = 1.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mission", default="order-exception")
    parser.add_argument("--dataset", default=None)
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    task = Task.of(args.mission, args.dataset)
    cases = task.cases(limit=args.cases)
    graph, call = asyncio.run(floor_parts())
    floor = graph + READS * call
    print(f"{len(cases)} cases of {task.spec.name} ({task.dataset.name})")
    print(f"Floor: {floor:.1f} ms CPU = the graph {graph:.1f} ms + {READS} no-op MCP calls x {call:.2f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = open_knowledge(Path(tmp))
        replay = replay_cpu_ms(task, cases, knowledge)
        timings, _, _, _, _ = profile(task, cases, knowledge, retrieval_cache=True)
        tool, _, client, server = asyncio.run(mcp_call_cpu(task, cases[0], knowledge))
    goal = f"goal {GOAL}x = {GOAL * floor:.1f} ms"
    print(f"Replay: {replay:.1f} ms CPU per case = {replay / floor:.2f}x the floor ({goal})")
    per_case = timings.per_case_ms(len(cases) - 1)
    calls = timings.calls[MCP_STAGE] / (len(cases) - 1)
    parts = {
        "the floor's graph (no node doing anything)": graph,
        f"{calls:.1f} MCP calls x {client + server:.2f} ms ({tool}: {client:.2f} client + {server:.2f} server)": calls
        * (client + server),
        "snapshot load (the harness)": per_case.get("snapshot load", 0.0),
        "end-state comparison (the harness)": per_case.get("end-state comparison", 0.0),
        "run store: audit trail and decision queue": per_case.get("run store", 0.0),
    }
    required = sum(parts.values())
    print("What any replay of these cases spends, whatever the mission does (lower bounds):")
    for name, ms in parts.items():
        print(f"  {ms:6.1f} ms  {name}")
    print(f"  {required:6.1f} ms  = {required / floor:.2f}x the floor")
    room, own = GOAL * floor - required, replay - required
    print(
        f"Room the {GOAL}x goal leaves for the mission's own work: {room:.1f} ms per case"
        + (" (none: the parts above alone exceed it)" if room <= 0 else "")
        + f"; that work takes {own:.1f} ms now"
    )


if __name__ == "__main__":
    main()
