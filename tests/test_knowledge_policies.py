"""Policy loading: validation problems are reported by file and line, and the rest of the corpus still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ai_missions.knowledge_index.policies as policies_module
from ai_missions.kernel.missions import all_domains, registry
from ai_missions.knowledge_index.clauses import ClauseAction, evaluate
from ai_missions.knowledge_index.policies import (
    InvalidPolicy,
    Policy,
    corpus_sources,
    default_source,
    load_corpus,
    parse_policy,
    policy_files,
    preload_policies,
    sections,
)

FIXTURES = Path(__file__).parent / "fixtures" / "knowledge"
GOOD_IDS = ["CUS-001", "FUL-001", "GOV-001", "INV-001", "PAY-001", "PAY-002"]


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    """The good fixture policies plus every bad one, in one directory."""
    for path in (FIXTURES / "good").glob("*.md"):
        shutil.copy(path, tmp_path / path.name)
    for path in (FIXTURES / "bad").glob("*.md"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _problems(corpus_dir: Path) -> dict[str, list[tuple[int | None, str]]]:
    found: dict[str, list[tuple[int | None, str]]] = {}
    for problem in load_corpus(corpus_dir).problems:
        found.setdefault(problem.path.name, []).append((problem.line, problem.message))
    return found


def test_good_corpus_loads_with_metadata() -> None:
    corpus = load_corpus(FIXTURES / "good")
    assert corpus.problems == ()
    assert [p.id for p in corpus.policies] == GOOD_IDS
    pay = corpus.by_id()["PAY-001"]
    assert (pay.version, pay.domain, pay.applies_to) == (3, "payments", ("payment_review",))
    assert pay.effective_from.isoformat() == "2025-01-01"
    assert [c.id for c in pay.clauses] == ["hold-high-fraud", "release-benign-address-change"]
    assert pay.extra == {"owner": "payments-risk"}
    assert len(pay.content_hash) == 64
    assert pay.citation == "PAY-001 v3"
    gov = corpus.by_id()["GOV-001"]
    assert gov.approval_rules[0].max_amount == 5000
    assert gov.applies("oversell")
    assert not pay.applies("oversell")


def test_bad_files_are_reported_by_file_and_line_and_the_rest_loads(mixed_corpus: Path) -> None:
    corpus = load_corpus(mixed_corpus)
    assert [p.id for p in corpus.policies] == GOOD_IDS
    problems = _problems(mixed_corpus)
    assert set(problems) == {
        "broken-yaml.md",
        "unknown-domain.md",
        "zz-duplicate-id.md",
        "bad-clause.md",
        "no-front-matter.md",
        "bad-fields.md",
    }
    assert problems["unknown-domain.md"] == [(4, f"domain: 'marketing' is not one of {', '.join(all_domains())}")]
    [(line, message)] = problems["zz-duplicate-id.md"]
    assert line == 2
    assert "duplicate policy id PAY-001" in message
    assert "pay-001.md" in message
    # One mistake deep inside a clause condition gives one problem, at its own line.
    assert problems["bad-clause.md"] == [(13, "clauses.0.when.all.1.fact: unknown fact 'order.colour'")]
    [(line, message)] = problems["broken-yaml.md"]
    assert line in (5, 6)
    assert "not valid YAML" in message
    assert problems["no-front-matter.md"][0][0] == 1
    by_line = dict(problems["bad-fields.md"])
    assert "greater than or equal to 1" in by_line[5]  # version: 0
    assert "date" in by_line[6]  # effective_from: someday
    assert "unknown case types ['returns']" in by_line[7]


def test_problem_prints_as_path_colon_line(mixed_corpus: Path) -> None:
    problem = next(p for p in load_corpus(mixed_corpus).problems if p.path.name == "unknown-domain.md")
    assert str(problem).startswith(f"{mixed_corpus / 'unknown-domain.md'}:4: domain:")


def test_missing_required_field(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("---\nid: ORD-100\ntitle: T\ndomain: orders\nversion: 1\napplies_to: [all]\n---\n# T\ntext\n")
    with pytest.raises(InvalidPolicy) as info:
        parse_policy(path)
    [problem] = info.value.problems
    assert problem.message == "effective_from: required field is missing"


def test_unknown_override_is_a_warning_but_policy_loads(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "good" / "pay-001.md", tmp_path / "pay-001.md")
    text = (tmp_path / "pay-001.md").read_text().replace("overrides: [hold-high-fraud]", "overrides: [no-such-clause]")
    (tmp_path / "pay-001.md").write_text(text)
    corpus = load_corpus(tmp_path)
    assert [p.id for p in corpus.policies] == ["PAY-001"]
    [problem] = corpus.problems
    assert "overrides unknown clause 'no-such-clause'" in problem.message
    assert problem.line == 27  # the overrides: line


def test_sections_split_at_headings(tmp_path: Path) -> None:
    policy = load_corpus(FIXTURES / "good").by_id()["PAY-001"]
    assert [s.heading for s in sections(policy)] == ["Overview", "When a hold is kept", "When a hold is released"]
    path = tmp_path / "y.md"
    path.write_text(
        "---\nid: ORD-101\ntitle: T\ndomain: orders\nversion: 1\neffective_from: 2025-01-01\napplies_to: [all]\n---\n"
        "# T\n## A\nalpha\n### A.1\nsub\n```\n## not a heading\n```\n## B\nbeta\n"
    )
    parts = sections(parse_policy(path))
    assert [s.heading for s in parts] == ["A", "B"]
    assert "sub" in parts[0].text
    assert "## not a heading" in parts[0].text


def test_shipped_corpus_is_valid() -> None:
    """The shipped corpus loads without a single problem."""
    source = default_source()
    assert len(list(source.glob("*.md"))) >= 25
    corpus = load_corpus(source)
    assert [str(p) for p in corpus.problems] == []
    assert len(corpus.policies) >= 25
    assert all(isinstance(p, Policy) for p in corpus.policies)
    assert all(sections(p) for p in corpus.policies)


def test_an_action_may_carry_its_own_condition_on_known_facts_only() -> None:
    """A clause decides the case; one of its actions may already be done (RET-002: stock already quarantined)."""
    action = ClauseAction.model_validate(
        {"tool": "quarantine_stock", "when": {"fact": "stock.quarantined", "op": "eq", "value": False}}
    )
    assert action.when is not None
    assert [evaluate(action.when, {"stock.quarantined": v}) for v in (False, True, None)] == [True, False, None]
    with pytest.raises(ValueError, match=r"unknown fact 'stock\.colour'"):
        ClauseAction.model_validate({"tool": "quarantine_stock", "when": {"fact": "stock.colour", "op": "exists"}})


ANOTHER_MISSIONS_WORDS = """---
id: ACC-090
title: Save plays for declining usage
domain: {domain}
version: 1
effective_from: 2026-01-01
applies_to: [usage_decline]
clauses:
  - id: {clause}
    when: {when}
    then:
      outcome: {outcome}
      actions: {actions}
---
# Save plays

Text.
"""


@pytest.mark.parametrize(
    ("clause", "when", "outcome", "actions", "expected"),
    [
        (
            "a-fact-of-orders",
            "{fact: customer.is_vip, op: eq, value: true}",
            "watch",
            "[]",
            (10, "clauses.0.when.fact: 'customer.is_vip' is a fact of order-exception, not of account-save"),
        ),
        (
            "an-outcome-of-orders",
            "{fact: account.arr, op: gt, value: 1000}",
            "proceed",
            "[]",
            (12, "clauses.0.then.outcome: 'proceed' is an outcome of order-exception, not of account-save"),
        ),
        (
            "a-tool-of-payments",
            "{fact: account.arr, op: gt, value: 1000}",
            "watch",
            "[{tool: capture_payment, args: {order_id: '{order.id}'}}]",
            (13, "clauses.0.then.actions.0.tool: 'capture_payment' is a tool of order-exception, not of account-save"),
        ),
    ],
)
def test_a_policy_naming_another_missions_word_fails_in_one_line(
    tmp_path: Path, clause: str, when: str, outcome: str, actions: str, expected: tuple[int, str]
) -> None:
    """A policy governs the missions of the case types it applies to (or of the folder it ships in); a fact, outcome
    or tool of another mission would never match there, or match another meaning of the same name."""
    domain = next(iter(registry()["account-save"].vocabulary.domains))
    text = ANOTHER_MISSIONS_WORDS.format(domain=domain, clause=clause, when=when, outcome=outcome, actions=actions)
    path = tmp_path / "acc-090.md"
    path.write_text(text)
    with pytest.raises(InvalidPolicy) as raised:
        parse_policy(path)
    problems = [(p.line, p.message) for p in raised.value.problems]
    assert problems[0] == expected
    assert "\n" not in str(raised.value)


FOREIGN_FACT = """---
id: PAY-090
title: Double charges refunded at once
domain: payments
version: 1
effective_from: 2026-01-01
applies_to: [double_charge]
clauses:
  - id: refund-when-the-ticket-asks
    when: {fact: %s, op: eq, value: true}
    then:
      outcome: proceed
---
# Double charges

Text.
"""


def test_a_company_policy_with_a_fact_of_a_mission_that_cannot_retrieve_it_fails_in_one_line(tmp_path: Path) -> None:
    """``double_charge`` is a case type of both order-exception and support, but a payments policy is retrieved by
    order-exception only (support reads customer_support): a support-only fact in its clause would never be known
    where the clause is applied, so it is a schema error (the two missions' words together used to accept it)."""
    orders, support = registry()["order-exception"], registry()["support"]
    assert "double_charge" in orders.vocabulary.case_types
    assert "double_charge" in support.vocabulary.case_types
    assert "payments" not in support.vocabulary.domains
    foreign = next(f for f in support.vocabulary.facts if f not in orders.vocabulary.facts)
    path = tmp_path / "pay-090.md"
    path.write_text(FOREIGN_FACT % foreign)
    with pytest.raises(InvalidPolicy) as raised:
        parse_policy(path)
    problems = [(p.line, p.message) for p in raised.value.problems]
    assert problems == [(10, f"clauses.0.when.fact: {foreign!r} is a fact of support, not of order-exception")]
    assert "\n" not in str(raised.value)


def test_the_shipped_policies_name_only_words_of_the_missions_they_govern() -> None:
    assert load_corpus().problems == ()


def test_policies_parsed_ahead_are_reused_until_their_text_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The eval fork server parses the corpus once (preload_policies); a worker's parse of the same file and text is
    that object, and an edited text is parsed anew (never a stale policy)."""
    monkeypatch.setattr(policies_module, "_PRELOADED", {})
    path = policy_files(corpus_sources())[0]
    fresh = parse_policy(path)
    assert parse_policy(path) is not fresh  # nothing parsed ahead: each call parses
    preload_policies()
    ahead = parse_policy(path)
    assert parse_policy(path) is ahead
    assert ahead == fresh
    edited = path.read_text(encoding="utf-8").replace("---\n", "---\n# edited\n", 1)
    assert parse_policy(path, edited) is not ahead
