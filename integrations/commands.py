"""``missions systems ...`` and ``missions exceptions``: seed, list, serve, export and import the simulated systems,
and the trigger scan."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ai_missions.cli import emit
from ai_missions.integrations.catalog import SYSTEMS, tools_of
from ai_missions.settings import missions_home, sandbox_dir


def register(subparsers: Any) -> None:
    systems = subparsers.add_parser("systems", help="the simulated enterprise systems: seed, list, serve, export...")
    sub = systems.add_subparsers(dest="systems_command", required=True, metavar="ACTION")

    seed = sub.add_parser("seed", help="build a fresh deterministic book of business (replaces the sandbox)")
    seed.add_argument("--orders", type=int, default=2000, help="number of orders (default 2000)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    seed.add_argument("--json", action="store_true")
    seed.set_defaults(handler=cmd_seed)

    listing = sub.add_parser("list", help="each system and its tools, marked read or write")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    serve = sub.add_parser("serve", help="serve one system as a standalone MCP server")
    serve.add_argument("name", choices=SYSTEMS)
    serve.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--home", type=Path, default=None, help="MISSIONS_HOME holding the book (default: env)")
    serve.set_defaults(handler=cmd_serve)

    export = sub.add_parser("export", help="the systems' state as JSON (whole, or around given orders)")
    export.add_argument("--order", action="append", dest="orders", metavar="ID", help="an order id (repeatable)")
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    export.set_defaults(handler=cmd_export)

    load = sub.add_parser("import", help="replace the sandbox with a snapshot file")
    load.add_argument("file", type=Path)
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=cmd_import)

    exceptions = subparsers.add_parser("exceptions", help="what is broken in the book right now (the trigger scan)")
    exceptions.add_argument("--json", action="store_true")
    exceptions.set_defaults(handler=cmd_exceptions)


def _book_summary() -> dict[str, Any]:
    from ai_missions.integrations.store import connect, get_meta

    conn = connect("erp")
    try:
        counts = dict(conn.execute("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status").fetchall())
        return {
            "sandbox": str(sandbox_dir()),
            "book_now": get_meta(conn, "book_now"),
            "seed": get_meta(conn, "seed"),
            "orders": sum(counts.values()),
            "orders_by_status": counts,
            "story_order_id": get_meta(conn, "story_order_id"),
        }
    finally:
        conn.close()


def cmd_seed(args: argparse.Namespace) -> int:
    from ai_missions.integrations.seed import seed_book

    seed_book(args.orders, args.seed, missions_home())
    summary = _book_summary()
    emit(
        summary,
        as_json=args.json,
        render=lambda s: (
            f"Seeded {s['orders']:,} orders (seed {s['seed']}, book clock {s['book_now']}) into {s['sandbox']}\n"
            + ", ".join(f"{k} {v}" for k, v in s["orders_by_status"].items())
            + (f"\nFlagship story: order {s['story_order_id']}" if s["story_order_id"] else "")
        ),
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    data = [
        {
            "system": system,
            "tools": [
                {"name": t.name, "kind": t.kind, "summary": t.summary, "destructive": t.destructive}
                for t in tools_of(system)
            ],
        }
        for system in SYSTEMS
    ]

    def render(rows: list[dict[str, Any]]) -> str:
        lines = []
        for row in rows:
            lines.append(row["system"])
            for t in row["tools"]:
                flag = " (destructive)" if t["destructive"] else ""
                lines.append(f"  {t['kind']:<5}  {t['name']:<24} {t['summary']}{flag}")
        return "\n".join(lines)

    emit(data, as_json=args.json, render=render)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ai_missions.integrations.serving import serve

    serve(args.name, args.transport, args.host, args.port, args.home or missions_home())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ai_missions.integrations.snapshot import export_snapshot

    snapshot = export_snapshot(args.orders, missions_home())
    text = json.dumps(snapshot, indent=1, sort_keys=False)
    if args.out:
        args.out.write_text(text + "\n")
        print(f"Wrote {args.out} ({len(text):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ai_missions.integrations.snapshot import load_snapshot

    load_snapshot(Path(args.file), missions_home())
    summary = _book_summary()
    emit(
        summary, as_json=args.json, render=lambda s: f"Imported {args.file}: {s['orders']:,} orders into {s['sandbox']}"
    )
    return 0


def cmd_exceptions(args: argparse.Namespace) -> int:
    from ai_missions.integrations.scan import scan_exceptions

    rows = [r.model_dump() for r in scan_exceptions(missions_home())]

    def render(data: list[dict[str, Any]]) -> str:
        if not data:
            return "No exceptions."
        kinds = Counter(t for r in data for t in r["types"])
        combined = sum(1 for r in data if len(r["types"]) > 1)
        lines = [f"{'ORDER':<11} {'STATUS':<16} TYPES  (detail)"]
        for r in data:
            lines.append(f"{r['order_id']:<11} {r['status']:<16} {' + '.join(r['types'])}")
            lines.extend(f"{'':<29}{t}: {d}" for t, d in r["details"].items())
        summary = ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        lines.append(f"\n{len(data)} orders in exception ({combined} combined): {summary}")
        return "\n".join(lines)

    emit(rows, as_json=args.json, render=render)
    return 0
