"""``missions knowledge ...``: build the policy index, search it, show a policy, evaluate retrieval."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ai_missions.cli import LazyChoices, emit, json_command


def register(subparsers: Any) -> None:
    """Add the ``knowledge`` command group to the ``missions`` parser."""
    knowledge = subparsers.add_parser("knowledge", help="Enterprise Knowledge: the policy index")
    commands = knowledge.add_subparsers(dest="knowledge_command", required=True, metavar="SUBCOMMAND")

    build = commands.add_parser("build", help="(re)build the index incrementally from the policy files")
    build.add_argument("--source", type=Path, help="policy directory (default: the shipped corpus)")
    json_command(build, _build, help="print JSON")

    adopt = commands.add_parser(
        "adopt-rules", help="make the indexed approval rules the rules of record (an audited policy change)"
    )
    json_command(adopt, _adopt, help="print JSON")

    search = commands.add_parser("search", help="search policy sections")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=5, help="number of sections (default 5)")
    search.add_argument(
        "--domain",
        action="append",
        choices=LazyChoices("ai_missions.kernel.missions:all_domains"),
        metavar="DOMAIN",
        help="restrict to a domain (repeatable)",
    )
    search.add_argument(
        "--applies-to",
        choices=LazyChoices("ai_missions.kernel.missions:all_case_types"),
        metavar="CASE_TYPE",
        help="policies that apply to a case type",
    )
    search.add_argument("--effective-on", help="policies in effect on this date (YYYY-MM-DD)")
    json_command(search, _search, help="print JSON")

    show = commands.add_parser("show", help="show an indexed policy")
    show.add_argument("policy_id")
    json_command(show, _show, help="print JSON")

    evaluate = commands.add_parser("eval", help="retrieval quality on the question set: recall@1, recall@3, MRR")
    evaluate.add_argument("--questions", type=Path, help="JSON Lines question set (default: the shipped one)")
    evaluate.add_argument(
        "--fail-under", type=float, default=0.0, metavar="RECALL", help="exit 1 if recall@3 is below RECALL (CI gate)"
    )
    json_command(evaluate, _eval, help="print JSON")


def _build(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.progress import note
    from ai_missions.kernel.settings import knowledge_dir
    from ai_missions.knowledge_index.index import build
    from ai_missions.knowledge_index.retrieval import KnowledgeBase
    from ai_missions.services.governance import rules_drift

    note("Indexing Enterprise Knowledge (embedding the policies that changed)…")
    report = build(args.source)
    emit(report.to_dict(), as_json=args.json, render=_render_build)
    if drift := rules_drift(KnowledgeBase(knowledge_dir())):
        print(f"missions: warning: {drift}", file=sys.stderr)
    return 1 if report.problems and not (report.added or report.updated or report.skipped) else 0


def _adopt(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db
    from ai_missions.kernel.store import RunStore
    from ai_missions.knowledge_index.retrieval import KnowledgeBase
    from ai_missions.services.governance import adopt_rules
    from ai_missions.services.identity import signed_in

    reviewer = signed_in(missions_home(), RunStore(runs_db())).name  # a controller, signed in: never a flag
    entry = adopt_rules(KnowledgeBase(knowledge_dir()), missions_home(), reviewer)

    def render(entry: dict[str, Any]) -> str:
        if not entry.get("changed"):
            return f"the approval rules of record already match the index ({entry['digest']})"
        return (
            f"approval rules of record changed {entry['before']} -> {entry['after']} by {entry['by']} ({entry['role']})"
        )

    emit(entry, as_json=args.json, render=render)
    return 0


def _render_build(data: dict[str, Any]) -> str:
    lines = [f"source: {data['source']}"]
    if data["full_rebuild_reason"]:
        lines.append(f"full rebuild: {data['full_rebuild_reason']}")
    for key in ("added", "updated", "removed", "skipped"):
        ids = data[key]
        lines.append(f"{key:8} {len(ids):3}" + (f"  {', '.join(ids)}" if ids and key != "skipped" else ""))
    lines.append(f"chunks embedded {data['chunks_embedded']}, in index {data['chunks_total']}, {data['seconds']:.2f}s")
    if data["problems"]:
        lines.append(f"problems ({len(data['problems'])}):")
        lines.extend(f"  {p['where']}" for p in data["problems"])
    return "\n".join(lines)


def _search(args: argparse.Namespace) -> int:
    import datetime as dt

    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.errors import ValidationError
    from ai_missions.knowledge_index.retrieval import search

    effective_on = None
    if args.effective_on:
        try:
            effective_on = dt.date.fromisoformat(args.effective_on)
        except ValueError:
            raise ValidationError(f"--effective-on {args.effective_on!r} is not a date (YYYY-MM-DD)") from None
    hits = search(args.query, args.k, domains=args.domain, applies_to=args.applies_to, effective_on=effective_on)
    emit([h.to_dict() for h in hits], as_json=args.json, render=_render_hits)
    return 0


def _render_hits(hits: list[dict[str, Any]]) -> str:
    if not hits:
        return "no matching policy sections"
    blocks = []
    for n, hit in enumerate(hits, start=1):
        text = " ".join(hit["text"].split())
        snippet = text if len(text) <= 240 else text[:237] + "..."
        where = f"{hit['policy_id']} v{hit['version']} §{hit['section']}"
        blocks.append(f"{n}. {where}  [{hit['domain']}]  score {hit['score']:.3f}\n   {hit['title']}\n   {snippet}")
    return "\n".join(blocks)


def _show(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.knowledge_index.retrieval import get_policy

    policy = get_policy(args.policy_id)
    data = {
        "id": policy.id,
        "title": policy.title,
        "domain": policy.domain,
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "applies_to": list(policy.applies_to),
        "content_hash": policy.content_hash,
        "path": str(policy.path),
        "clauses": [c.model_dump(mode="json", by_alias=True, exclude_defaults=True) for c in policy.clauses],
        "approval_rules": [r.model_dump(mode="json", exclude_defaults=True) for r in policy.approval_rules],
        "body": policy.body,
    }
    emit(data, as_json=args.json, render=_render_policy)
    return 0


def _render_policy(data: dict[str, Any]) -> str:
    header = [
        f"{data['id']} v{data['version']}: {data['title']}",
        f"domain {data['domain']}, effective from {data['effective_from']}, applies to {', '.join(data['applies_to'])}",
        f"{len(data['clauses'])} clause(s), {len(data['approval_rules'])} approval rule(s); source {data['path']}",
    ]
    for clause in data["clauses"]:
        then = clause["then"]
        summary = " ".join((clause.get("summary") or "").split())
        header.append(f"  - {clause['id']} -> {then['outcome']}" + (f": {summary}" if summary else ""))
    return "\n".join(header) + "\n\n" + data["body"].strip()


def _eval(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.knowledge_index.evaluation import evaluate_retrieval, load_questions

    report = evaluate_retrieval(load_questions(args.questions))
    emit(report.to_dict(), as_json=args.json, render=_render_eval)
    return 1 if report.recall_at_3 < args.fail_under else 0


def _render_eval(data: dict[str, Any]) -> str:
    lines = [
        f"questions  {data['questions']}",
        f"recall@1   {data['recall_at_1']:.3f}",
        f"recall@3   {data['recall_at_3']:.3f}",
        f"MRR        {data['mrr']:.3f}",
        f"hit@3      {data['hit_at_3']:.3f}",
    ]
    if data["misses"]:
        lines.append(f"not fully in the top 3 ({len(data['misses'])}):")
        for miss in data["misses"]:
            lines.append(f"  {miss['question']}\n    expected {miss['expected']}, got {miss['ranked']}")
    return "\n".join(lines)
