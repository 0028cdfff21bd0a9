"""Every registered system's tools as the platform sees them, to compare two commits: the contract (name, kind,
summary, amount argument, irreversible, reaches outside) and the MCP listing (title, description, input and output
schema, annotations), dumped to JSON over a sandbox seeded small.

    python3 -m uv run python scripts/tool_listing.py dump before.json     # at one commit
    python3 -m uv run python scripts/tool_listing.py dump after.json      # at the other
    python3 -m uv run python scripts/tool_listing.py compare before.json after.json

``compare`` prints each difference and exits 1 when there is one; descriptions are compared with their white space
folded (a docstring's indentation is not a change), schemas as JSON values (key order aside).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ai_missions.contracts import contracts
from ai_missions.kernel.environment import simulated_environment

SIZES = {"commerce": 60, "payables": 40, "retail": 30, "helpdesk": 6, "accounts": 40}


async def _listing(system: str, home: Path) -> dict[str, Any]:
    # deferred: start-up time (loads mcp and jsonschema_rs)
    from ai_missions.services.mcp_session import system_factory

    server = system_factory(system)(home)
    return {t.name: t.model_dump(mode="json") for t in await server.list_tools()}


def dump(out: Path, home: Path | None) -> None:

    home = home or Path(tempfile.mkdtemp(prefix="tool-listing-"))
    if not (home / "systems").exists():
        simulated_environment().seed_books(home, seed=7, sizes=SIZES)
    found: dict[str, Any] = {"contracts": {}, "servers": {}}
    for name, contract in contracts().items():
        fields = ("name", "kind", "summary", "amount_arg", "irreversible", "reaches_outside")
        found["contracts"][name] = {
            "title": contract.title,
            "tools": [{f: getattr(t, f) for f in fields} for t in contract.tools],
        }
    for point in entry_points(group="ai_missions.systems"):
        found["servers"][point.name] = asyncio.run(_listing(point.name, home))
    out.write_text(json.dumps(found, indent=1) + "\n")
    print(f"{sum(len(v) for v in found['servers'].values())} tools of {len(found['servers'])} systems -> {out}")


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found = []
    for system in sorted(set(before["contracts"]) | set(after["contracts"])):
        old, new = before["contracts"].get(system), after["contracts"].get(system)
        if old is None or new is None:
            found.append(f"{system}: contract {'added' if old is None else 'removed'}")
            continue
        if old["title"] != new["title"]:
            found.append(f"{system}: title {old['title']!r} -> {new['title']!r}")
        specs = ({t["name"]: t for t in old["tools"]}, {t["name"]: t for t in new["tools"]})
        for name in sorted(set(specs[0]) | set(specs[1])):
            if specs[0].get(name) != specs[1].get(name):
                found.append(f"{system}.{name}: contract {specs[0].get(name)} -> {specs[1].get(name)}")
    for system in sorted(set(before["servers"]) | set(after["servers"])):
        old, new = before["servers"].get(system, {}), after["servers"].get(system, {})
        for name in sorted(set(old) | set(new)):
            if name not in old or name not in new:
                found.append(f"{system}.{name}: listed {'after only' if name in new else 'before only'}")
                continue
            for key in sorted(set(old[name]) | set(new[name])):
                a, b = old[name].get(key), new[name].get(key)
                same = (
                    " ".join((a or "").split()) == " ".join((b or "").split())
                    if key == "description"
                    else (_canonical(a) == _canonical(b))
                )
                if not same:
                    found.append(f"{system}.{name}: {key} differs")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--home", type=Path, default=None, help="a seeded MISSIONS_HOME (default: seed a new one)")
    comparing = sub.add_parser("compare")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(args.out, args.home)
        return 0
    before, after = (json.loads(p.read_text()) for p in (args.before, args.after))
    found = differences(before, after)
    print("\n".join(found) if found else "no differences")
    print(f"{sum(len(v) for v in after['servers'].values())} tools of {len(after['servers'])} systems compared")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
