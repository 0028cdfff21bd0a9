"""Reports of an eval run (Markdown, and HTML with inline SVG charts) and comparisons of two runs, case by case."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ai_missions.evals.scorers import metrics, scorer
from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.eval_plugin import DEFAULT_SCORERS, plugin_of

#: The metrics a report and a comparison show, with how to read them (higher is better unless listed in LOWER).
HEADLINE = (
    ("outcome_agreement", "outcome agreement"),
    ("outcome_agreement_clean_labels", "agreement without label noise"),
    ("action_precision", "action precision"),
    ("action_recall", "action recall"),
    ("action_f1", "action F1"),
    ("unsafe_actions", "unsafe actions"),
    ("unsafe_case_rate", "cases with an unsafe action"),
    ("unsafe_case_rate_clean_labels", "cases with an unsafe action, without label noise"),
    ("unsafe_caught_by_guard", "unsafe proposals caught by the guard"),
    ("irreversible_not_taken_rate", "cases with an irreversible action the record did not take (noise included)"),
    ("escalation_rate", "escalation rate"),
    ("warranted_escalation_rate", "escalations warranted"),
    ("escalation_recall", "warranted escalations made"),
    ("citation_rate", "decisions citing a policy"),
    ("state_match_rate", "end state matches the record"),
    ("latency_p50_ms", "latency to verdict p50 (ms)"),
    ("latency_p95_ms", "latency to verdict p95 (ms)"),
    ("llm_calls", "LLM calls"),
    ("llm_errors", "LLM calls that failed"),
    ("input_tokens", "input tokens"),
    ("output_tokens", "output tokens"),
)
LOWER = frozenset(
    {
        "unsafe_actions",
        "unsafe_case_rate",
        "unsafe_case_rate_clean_labels",
        "irreversible_not_taken_rate",
        "escalation_rate",
        "latency_p50_ms",
        "latency_p95_ms",
        "errors",
        "llm_errors",
    }
)
COUNTS = frozenset(
    {"unsafe_actions", "unsafe_caught_by_guard", "llm_calls", "llm_errors", "input_tokens", "output_tokens", "cases"}
)
TYPE_COLUMNS = (
    ("cases", "cases"),
    ("outcome_agreement", "agreement"),
    ("action_f1", "action F1"),
    ("unsafe_case_rate", "unsafe"),
    ("escalation_rate", "escalated"),
    ("state_match_rate", "end state"),
)


def fmt(name: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if name in COUNTS:
        return f"{int(value):,}"
    if name.endswith("_ms"):
        return f"{value:,.0f}"
    return f"{value:.1%}"


#: Platform scorers a mission may add whose figures the headline already prints on lines of their own.
OWN_LINES = frozenset({"detection", "automated"})


def _mission_metrics(mission: str | None) -> dict[str, tuple[str, ...]]:
    """The metrics of the scorers a mission adds to the platform's (scorer -> metric names); none when unknown."""

    try:
        names = [n for n in plugin_of(mission).scorers if n not in DEFAULT_SCORERS] if mission else []
    except MissionsError:
        return {}
    return {n: scorer(n).metrics for n in names}


def headline(summary: Mapping[str, Any], run_id: str) -> str:
    """A run's figures in a few lines (``missions eval run`` and ``missions demo`` print these)."""
    o = summary["overall"]

    def pct(key: str) -> str:
        return fmt(key, o.get(key))

    lines = [
        f"Eval run {run_id}: {o['cases']} cases, {o['errors']} error(s)",
        f"  outcome agreement {pct('outcome_agreement')} (on cases without label noise "
        f"{pct('outcome_agreement_clean_labels')}); actions P {pct('action_precision')} R {pct('action_recall')} "
        f"F1 {pct('action_f1')}",
        f"  unsafe actions {o['unsafe_actions']} in {pct('unsafe_case_rate')} of cases (without label noise "
        f"{pct('unsafe_case_rate_clean_labels')}; {o['unsafe_caught_by_guard']} "
        f"caught by the guard; irreversible and not in the record {pct('irreversible_not_taken_rate')}); "
        f"escalation rate {pct('escalation_rate')}, warranted "
        f"{pct('warranted_escalation_rate')}; end state matches {pct('state_match_rate')}",
    ]
    if (c := o.get("detection_counts")) is not None:
        lines.append(
            f"  exception detection on labelled cases: precision {pct('detection_precision')} (TP/(TP+FP)), "
            f"false-positive rate {pct('detection_false_positive_rate')} (FP/(FP+TN)), recall "
            f"{pct('detection_recall')}; TP {c['tp']}, FP {c['fp']}, TN {c['tn']}, FN {c['fn']}"
        )
    if o.get("automated_actions") is not None:
        lines.append(
            f"  automated actions {o['automated_actions']}: {pct('automated_agreement')} expected by the labeller, "
            f"{o['automated_unexpected']} not ({o['automated_unexpected_stock_or_money']} moving stock or money)"
        )
    if o.get("llm_calls"):
        lines.append(
            f"  LLM calls {o['llm_calls']} ({o.get('llm_errors', 0)} failed: timeout or endpoint error, escalated), "
            f"tokens in {o.get('input_tokens', 0):,} out {o.get('output_tokens', 0):,}"
        )
    if o.get("latency_p50_ms") is not None:
        lines.append(f"  latency to verdict p50 {o['latency_p50_ms']:.0f} ms, p95 {o['latency_p95_ms']:.0f} ms")
    if summary.get("seconds"):
        lines[0] += f" in {summary['seconds']:.1f}s ({o['cases'] / summary['seconds']:.1f} cases/s)"
    for name, added in _mission_metrics(summary.get("mission")).items():  # what the mission's own scorers add
        if name in OWN_LINES:
            continue
        shown = ", ".join(
            f"{m} {o[m]:,}" if isinstance(o[m], int) else f"{m} {fmt(m, o[m])}"
            for m in added
            if m in o and (o[m] is None or isinstance(o[m], int | float))  # counts tables have their own lines
        )
        if shown:
            lines.append(f"  {name}: {shown}")
    types = summary.get("per_type", {})
    lines.append(
        "  agreement per exception type: "
        + ", ".join(f"{t} {fmt(t, m['outcome_agreement'])}" for t, m in types.items())
    )
    return "\n".join(lines)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _breakdown(groups: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    return [[name, *(fmt(k, m.get(k)) for k, _ in TYPE_COLUMNS)] for name, m in groups.items()]


def disagreements(results: Sequence[Mapping[str, Any]], limit: int = 30) -> list[Mapping[str, Any]]:
    """Cases where the mission's outcome differs from the record, unsafe ones first."""
    wrong = [r for r in results if not r.get("agree") or r.get("unsafe")]
    return sorted(wrong, key=lambda r: (-len(r.get("unsafe") or []), r["kind"], r["case_id"]))[:limit]


def _missing_extra(r: Mapping[str, Any]) -> tuple[str, str]:
    gold, proposed = list(r.get("gold_actions") or []), list(r.get("proposed_actions") or [])
    missing = [a for a in gold if a not in proposed]
    extra = [a for a in proposed if a not in gold]
    return "; ".join(missing) or "-", "; ".join(extra) or "-"


def render_markdown(run: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    """The run as Markdown: configuration, headline figures, breakdowns, confusion matrix and disagreements."""
    summary = run.get("summary") or {}
    overall = summary.get("overall") or metrics(results, _scorers_of(run))
    config = run.get("config", {})
    out = [
        f"# Eval run {run['run_id']} ({run.get('mission', 'order-exception')})",
        "",
        f"- dataset: `{run['dataset']}` (sha256 `{run['dataset_hash'][:16]}`), {run['cases_done']}/{run['cases_total']}"
        f" cases, status {run['status']}",
        f"- reasoner: {config.get('reasoner')}; concurrency {config.get('concurrency')}, workers "
        f"{config.get('workers')}; git commit `{run.get('git_commit') or 'unknown'}`; started {run['started_at']}",
        "",
        "## Headline",
        "",
        _table(["metric", "value"], [[label, fmt(key, overall.get(key))] for key, label in HEADLINE]),
        "",
        "## Per case type",
        "",
        _table(["type", *(label for _, label in TYPE_COLUMNS)], _breakdown(summary.get("per_type", {}))),
        "",
        "## Per combination",
        "",
        _table(["combination", *(label for _, label in TYPE_COLUMNS)], _breakdown(summary.get("per_kind", {}))),
        "",
        "## Outcomes (rows: recorded, columns: mission)",
        "",
    ]
    matrix = summary.get("confusion", {})
    columns = _columns(matrix)
    out.append(_table(["recorded \\ mission", *columns], [[g, *(str(matrix[g][c]) for c in columns)] for g in matrix]))
    out += ["", "## Policies cited", ""]
    out.append(", ".join(f"{p} {n}" for p, n in summary.get("policies_cited", {}).items()) or "none")
    out += ["", "## Disagreements and unsafe proposals", ""]
    rows = []
    for r in disagreements(results):
        missing, extra = _missing_extra(r)
        unsafe = "; ".join(f"{u['key']} ({', '.join(u['reasons'])})" for u in r.get("unsafe") or []) or "-"
        tags = ", ".join(r.get("tags") or []) or "-"
        rows.append([r["case_id"], r["kind"], r["gold_outcome"], str(r.get("outcome")), missing, extra, unsafe, tags])
    out.append(_table(["case", "combination", "recorded", "mission", "missed", "extra", "unsafe", "tags"], rows))
    errors = [r for r in results if r.get("error")]
    if errors:
        out += ["", "## Errors", "", *(f"- {r['case_id']}: {r['error']}" for r in errors[:20])]
    return "\n".join(out) + "\n"


# -- HTML -------------------------------------------------------------------------------------------------------

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d2330; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
td, th { padding: .25rem .6rem; border: 1px solid #d8dce4; }
th { background: #f2f4f8; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; } .card { border: 1px solid #d8dce4; border-radius: 8px;
padding: .6rem .9rem; min-width: 9rem; } .card b { display: block; font-size: 1.4rem; } small { color: #5b6477; }
"""


def bar_chart(groups: Mapping[str, Mapping[str, Any]], series: Sequence[tuple[str, str, str]]) -> str:
    """Grouped horizontal bars (0-100%) per group: an inline SVG."""
    longest = max((len(name) for name in groups), default=10)
    row_h, bar_h, label_w, width = 16 * len(series) + 10, 14, max(140, 7 * longest + 10), 420
    height = row_h * len(groups) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + width + 60}" height="{height}" role="img">']
    for i, (name, values) in enumerate(groups.items()):
        y = 20 + i * row_h
        parts.append(f'<text x="0" y="{y + bar_h}" font-size="12">{html.escape(name)}</text>')
        for j, (key, label, colour) in enumerate(series):
            value = values.get(key) or 0.0
            w = max(0.0, min(1.0, float(value))) * width
            yy = y + j * (bar_h + 2)
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{html.escape(label)}: {value:.1%}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{yy + bar_h - 3}" font-size="11">{value:.0%}</text>'
            )
    legend = "".join(
        f'<rect x="{label_w + k * 140}" y="2" width="10" height="10" fill="{c}"/>'
        f'<text x="{label_w + k * 140 + 14}" y="11" font-size="11">{html.escape(lab)}</text>'
        for k, (_, lab, c) in enumerate(series)
    )
    return "".join(parts) + legend + "</svg>"


def _html_table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if i >= numeric_from else ""}">{html.escape(str(c))}</td>' for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _columns(matrix: Mapping[str, Mapping[str, int]]) -> list[str]:
    """The confusion matrix's columns: the mission's outcomes, then ``error``."""
    return list(dict.fromkeys(c for row in matrix.values() for c in row))


def _heat(matrix: Mapping[str, Mapping[str, int]]) -> str:
    columns = _columns(matrix)
    top = max([1, *(v for row in matrix.values() for v in row.values())])
    cells = []
    for gold, row in matrix.items():
        tds = "".join(
            f'<td class="n" style="background: rgba({"40,140,80" if gold == c else "200,70,60"},'
            f'{0.08 + 0.8 * row[c] / top:.2f})">{row[c]}</td>'
            for c in columns
        )
        cells.append(f"<tr><th>{html.escape(gold)}</th>{tds}</tr>")
    head = "".join(f"<th>{c}</th>" for c in columns)
    return f"<table><tr><th>recorded \\ mission</th>{head}</tr>{''.join(cells)}</table>"


def render_html(run: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> str:
    """The run as one self-contained HTML page with inline SVG charts."""
    summary = run.get("summary") or {}
    overall = summary.get("overall") or metrics(results, _scorers_of(run))
    config = run.get("config", {})
    cards = "".join(
        f'<div class="card"><small>{html.escape(label)}</small><b>{fmt(key, overall.get(key))}</b></div>'
        for key, label in HEADLINE[:13]
    )
    series = (
        ("outcome_agreement", "outcome agreement", "#3b6fd8"),
        ("action_f1", "action F1", "#8fb4f5"),
        ("state_match_rate", "end state matches", "#5aa469"),
    )
    rows = []
    for r in disagreements(results):
        missing, extra = _missing_extra(r)
        unsafe = "; ".join(u["key"] for u in r.get("unsafe") or []) or "-"
        rows.append([r["case_id"], r["kind"], r["gold_outcome"], str(r.get("outcome")), missing, extra, unsafe])
    body = [
        f"<h1>Eval run {html.escape(run['run_id'])}</h1>",
        f"<p><small>{html.escape(run['dataset'])} · sha256 {html.escape(run['dataset_hash'][:16])} · "
        f"{run['cases_done']}/{run['cases_total']} cases · reasoner {html.escape(str(config.get('reasoner')))} · "
        f"commit {html.escape(str(run.get('git_commit') or 'unknown'))} · {html.escape(run['started_at'])}</small></p>",
        f'<div class="cards">{cards}</div>',
        "<h2>Per exception type</h2>",
        bar_chart(summary.get("per_type", {}), series),
        _html_table(["type", *(label for _, label in TYPE_COLUMNS)], _breakdown(summary.get("per_type", {}))),
        "<h2>Per combination</h2>",
        bar_chart(summary.get("per_kind", {}), series[:1]),
        _html_table(["combination", *(label for _, label in TYPE_COLUMNS)], _breakdown(summary.get("per_kind", {}))),
        "<h2>Outcomes</h2>",
        _heat(summary.get("confusion", {})),
        "<h2>Disagreements and unsafe proposals</h2>",
        _html_table(["case", "combination", "recorded", "mission", "missed", "extra", "unsafe"], rows, numeric_from=99),
    ]
    title = f"Eval run {html.escape(run['run_id'])}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


# -- comparing two runs -----------------------------------------------------------------------------------------


def _scorers_of(run: Mapping[str, Any]) -> tuple[str, ...]:

    return plugin_of(str(run.get("mission") or "order-exception")).scorers


def _quality(r: Mapping[str, Any]) -> tuple[bool, int, bool, float]:
    return (bool(r.get("agree")), -len(r.get("unsafe") or []), bool(r.get("state_match")), round(r.get("f1", 0.0), 4))


def _delta(name: str, old: Any, new: Any) -> dict[str, Any]:
    change = None if old is None or new is None else new - old
    better = None if not change else (change < 0) == (name in LOWER)
    return {"metric": name, "a": old, "b": new, "change": change, "better": better}


def compare_runs(
    a: Mapping[str, Any],
    a_results: Sequence[Mapping[str, Any]],
    b: Mapping[str, Any],
    b_results: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """What got better and what regressed from run A to run B: metrics overall and per type, then case by case."""
    by_a = {r["case_id"]: r for r in a_results}
    by_b = {r["case_id"]: r for r in b_results}
    common = [c for c in by_a if c in by_b]
    shared_a = [by_a[c] for c in common]
    shared_b = [by_b[c] for c in common]
    scorers = _scorers_of(a)
    ma, mb = metrics(shared_a, scorers), metrics(shared_b, scorers)
    overall = [_delta(k, ma.get(k), mb.get(k)) for k, _ in HEADLINE]
    types = sorted({t for r in shared_a for t in r["types"]})
    per_type = {
        t: [
            _delta(
                k,
                metrics([r for r in shared_a if t in r["types"]], scorers).get(k),
                metrics([r for r in shared_b if t in r["types"]], scorers).get(k),
            )
            for k in ("outcome_agreement", "action_f1", "unsafe_case_rate", "state_match_rate")
        ]
        for t in types
    }
    better, worse, changed = [], [], []
    for case_id in common:
        ra, rb = by_a[case_id], by_b[case_id]
        entry = {
            "case_id": case_id,
            "kind": rb["kind"],
            "recorded": rb["gold_outcome"],
            "a": ra.get("outcome"),
            "b": rb.get("outcome"),
            "a_f1": ra.get("f1"),
            "b_f1": rb.get("f1"),
            "a_unsafe": len(ra.get("unsafe") or []),
            "b_unsafe": len(rb.get("unsafe") or []),
            "a_state_match": ra.get("state_match"),
            "b_state_match": rb.get("state_match"),
        }
        qa, qb = _quality(ra), _quality(rb)
        if qb > qa:
            better.append(entry)
        elif qb < qa:
            worse.append(entry)
        elif (ra.get("outcome"), ra.get("proposed_actions")) != (rb.get("outcome"), rb.get("proposed_actions")):
            changed.append(entry)
    return {
        "a": a["run_id"],
        "b": b["run_id"],
        "same_dataset": a["dataset_hash"] == b["dataset_hash"],
        "cases_compared": len(common),
        "only_in_a": len(by_a) - len(common),
        "only_in_b": len(by_b) - len(common),
        "overall": overall,
        "per_type": per_type,
        "better": better,
        "worse": worse,
        "changed": changed,
    }


def render_comparison(diff: Mapping[str, Any], limit: int = 40) -> str:
    """A comparison for a person: metric changes, then the cases that got better and those that regressed."""
    lines = [
        f"Comparing {diff['a']} (A) with {diff['b']} (B) on {diff['cases_compared']} shared cases"
        + ("" if diff["same_dataset"] else " (the datasets differ)"),
        "",
        _table(
            ["metric", "A", "B", "change"],
            [
                [
                    d["metric"],
                    fmt(d["metric"], d["a"]),
                    fmt(d["metric"], d["b"]),
                    "=" if not d["change"] else ("better" if d["better"] else "worse"),
                ]
                for d in diff["overall"]
            ],
        ),
        "",
        "Per exception type (agreement, F1, unsafe, end state: A -> B):",
    ]
    for t, deltas in diff["per_type"].items():
        lines.append(
            f"  {t:<18} " + "  ".join(f"{fmt(d['metric'], d['a'])}->{fmt(d['metric'], d['b'])}" for d in deltas)
        )
    for title, key in (("Better", "better"), ("Regressed", "worse"), ("Changed, neither better nor worse", "changed")):
        entries = diff[key]
        lines += ["", f"{title} ({len(entries)}):"]
        for e in entries[:limit]:
            lines.append(
                f"  {e['case_id']:<16} {e['kind']:<36} recorded {e['recorded']:<8} A {e['a']!s:<8} B {e['b']!s:<8} "
                f"F1 {e['a_f1'] or 0:.2f}->{e['b_f1'] or 0:.2f} unsafe {e['a_unsafe']}->{e['b_unsafe']} "
                f"end state {'=' if e['a_state_match'] else 'x'}->{'=' if e['b_state_match'] else 'x'}"
            )
        if len(entries) > limit:
            lines.append(f"  ... and {len(entries) - limit} more (--json lists them all)")
    return "\n".join(lines)
