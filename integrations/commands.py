"""``missions systems ...`` and ``missions exceptions``: seed, list, serve, export and import the simulated systems,
and the trigger scan."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ai_missions.cli import emit, json_command
from ai_missions.integrations.systems import SERVED, connect, declared, simulated, system_path
from ai_missions.kernel.settings import missions_home, sandbox_dir


def register(subparsers: Any) -> None:
    systems = subparsers.add_parser("systems", help="the simulated enterprise systems: seed, list, serve, export...")
    sub = systems.add_subparsers(dest="systems_command", required=True, metavar="ACTION")

    seed = sub.add_parser("seed", help="build fresh deterministic books of business, one per set of systems")
    seed.add_argument("--orders", type=int, default=2000, help="number of orders (default 2000)")
    seed.add_argument("--invoices", type=int, default=1500, help="number of invoices (default 1500)")
    seed.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    json_command(seed, cmd_seed)

    listing = sub.add_parser("list", help="each system and its tools, marked read or write")
    json_command(listing, cmd_list)

    checked = sub.add_parser("contract", help="check each system's checked-in contract against its declared tools")
    checked.add_argument("names", nargs="*", metavar="SYSTEM", help="the systems (default: every simulated system)")
    checked.add_argument("--write", action="store_true", help="write the derived contracts where they are checked in")
    checked.set_defaults(handler=cmd_contract)

    serve = sub.add_parser("serve", help="serve one system as a standalone MCP server")
    serve.add_argument("name", choices=SERVED)
    serve.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--home", type=Path, default=None, help="MISSIONS_HOME holding the book (default: env)")
    serve.set_defaults(handler=cmd_serve)

    export = sub.add_parser("export", help="the systems' state as JSON (whole, or around given orders or invoices)")
    around = export.add_mutually_exclusive_group()
    around.add_argument("--order", action="append", dest="orders", metavar="ID", help="an order id (repeatable)")
    around.add_argument("--invoice", action="append", dest="invoices", metavar="ID", help="an invoice id (repeatable)")
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    export.set_defaults(handler=cmd_export)

    load = sub.add_parser("import", help="replace the sandbox with a snapshot file")
    load.add_argument("file", type=Path)
    json_command(load, cmd_import)

    exceptions = subparsers.add_parser("exceptions", help="what is broken in the book right now (the trigger scan)")
    json_command(exceptions, cmd_exceptions)


def _book_summary() -> dict[str, Any]:
    """What the sandbox holds: the commerce book's orders and the payables book's invoices (when present)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.store import get_meta

    summary: dict[str, Any] = {"sandbox": str(sandbox_dir())}
    for system, table, unit, story in (
        ("erp", "orders", "orders", "story_order_id"),
        ("ap", "invoices", "invoices", "story_invoice_id"),
        ("helpdesk", "tickets", "tickets", "story_ticket_id"),
    ):
        if not system_path(system).exists():
            continue
        conn = connect(system)
        try:
            counts = dict(
                conn.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status ORDER BY status").fetchall()
            )
            summary.setdefault("book_now", get_meta(conn, "book_now"))
            summary.setdefault("seed", get_meta(conn, "seed"))
            summary.update({unit: sum(counts.values()), f"{unit}_by_status": counts, story: get_meta(conn, story)})
        finally:
            conn.close()
    return summary


def _render_book(summary: dict[str, Any], verb: str) -> str:
    lines = []
    for unit, kind, story in (
        ("orders", "order", "story_order_id"),
        ("invoices", "invoice", "story_invoice_id"),
        ("tickets", "ticket", "story_ticket_id"),
    ):
        if unit not in summary:
            continue
        lines.append(
            f"{verb} {summary[unit]:,} {unit} (seed {summary['seed']}, book clock {summary['book_now']}) into "
            f"{summary['sandbox']}"
        )
        lines.append(", ".join(f"{k} {v}" for k, v in summary[f"{unit}_by_status"].items()))
        if summary.get(story):
            lines.append(f"Flagship story: {kind} {summary[story]}")
    return "\n".join(lines) or f"Nothing in {summary['sandbox']}"


def cmd_seed(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.books import seed_books

    seed_books(missions_home(), seed=args.seed, sizes={"commerce": args.orders, "payables": args.invoices})
    emit(_book_summary(), as_json=args.json, render=lambda s: _render_book(s, "Seeded"))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.contracts import contract

    data = [
        {
            "system": system,
            "tools": [
                {"name": t.name, "kind": t.kind, "summary": t.summary, "destructive": t.irreversible}
                for t in contract(system)
            ],
        }
        for system in SERVED
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


def cmd_contract(args: argparse.Namespace) -> int:
    """Each system's contract derived from its declaration, against the file its entry point names: a line per
    system; exit 1 when one differs (``--write`` writes it instead)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.system_server import contract_path, contract_text

    stale = 0
    for system in [declared(n) for n in args.names] or list(simulated().values()):
        path, text = contract_path(system.name), contract_text(system)
        found = path.read_text(encoding="utf-8") if path.exists() else None
        if found == text:
            print(f"{system.name}: {path} matches its declaration")
        elif args.write:
            path.write_text(text, encoding="utf-8")
            print(f"{system.name}: wrote {path}")
        else:
            stale += 1
            print(f"{system.name}: {path} {'is missing' if found is None else 'differs from its declaration'}")
    if stale:
        print(f"{stale} contract(s) to regenerate: missions systems contract --write", file=sys.stderr)
    return 1 if stale else 0


def cmd_serve(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.serving import serve

    serve(args.name, args.transport, args.host, args.port, args.home or missions_home())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.snapshot import export_snapshot

    snapshot = export_snapshot(args.orders, missions_home(), invoice_ids=args.invoices)
    text = json.dumps(snapshot, indent=1, sort_keys=False)
    if args.out:
        args.out.write_text(text + "\n")
        print(f"Wrote {args.out} ({len(text):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.integrations.snapshot import load_snapshot

    load_snapshot(Path(args.file), missions_home())
    emit(_book_summary(), as_json=args.json, render=lambda s: f"Imported {args.file}:\n" + _render_book(s, "Holds"))
    return 0


def cmd_exceptions(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
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
