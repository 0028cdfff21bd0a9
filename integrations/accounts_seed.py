"""A deterministic book of B2B accounts whose signals evolved over the last twelve weeks, and what became of them.

Each account has a hidden fate (it later renews or churns) and a pattern its signals followed: churners mostly
show a usage decline, some a burst of escalated support cases, some go silent (no meaningful contact for weeks);
healthy accounts have their own noise (a seasonal usage dip, a stray escalation, a quiet quarter), so no single
signal tells the fates apart and a ranking can be scored against what happened (``account_outcomes``).

A few accounts carry bad input on purpose: no data at all, a broken usage series (negative and missing days),
and the accounts of an owner who left (and of one who is away). ACC-10007 is the flagship story: tier one, two
escalated cases this week, usage down about a third, renewal in sixty days, owned by ava.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ai_missions.integrations.plugin import Book
from ai_missions.integrations.systems import book_meta

BOOK_NOW = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)  # a Monday morning
HISTORY_DAYS = 84
STORY_INDEX = 6  # ACC-10007

#: owner id -> (name, team, manager, status). Owner ids are the owners' sign-in names.
OWNERS: dict[str, tuple[str, str, str | None, str]] = {
    "maya": ("Maya Lind", "east", None, "active"),
    "noah": ("Noah Berg", "west", None, "active"),
    "ava": ("Ava Stone", "east", "maya", "active"),
    "ben": ("Ben Ortiz", "east", "maya", "active"),
    "cara": ("Cara Wu", "east", "maya", "active"),
    "dan": ("Dan Moss", "east", "maya", "active"),
    "eve": ("Eve Hart", "east", "maya", "active"),
    "finn": ("Finn Cole", "east", "maya", "active"),
    "gia": ("Gia Russo", "west", "noah", "active"),
    "hugo": ("Hugo Lang", "west", "noah", "active"),
    "ines": ("Ines Vidal", "west", "noah", "active"),
    "jon": ("Jon Pike", "west", "noah", "left"),
    "kim": ("Kim Sato", "west", "noah", "away"),
    "leo": ("Leo Brandt", "west", "noah", "active"),
}
ACCOUNT_OWNERS = tuple(o for o, (_n, _t, manager, _s) in OWNERS.items() if manager is not None)

_PREFIX = ("Acme", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel")
_SUFFIX = ("Logistics", "Health", "Foods", "Analytics", "Robotics", "Retail", "Energy", "Labs", "Bank", "Media")
_INDUSTRY = ("logistics", "healthcare", "food", "software", "manufacturing", "retail", "energy", "finance")
_FIRST = ("Alex", "Sam", "Jordan", "Robin", "Chris", "Pat", "Taylor", "Morgan", "Jamie", "Casey")
_LAST = ("Meyer", "Novak", "Silva", "Khan", "Larsen", "Rossi", "Dubois", "Okafor", "Tanaka", "Weber")
_CASES = ("Login failures after SSO change", "Export job times out", "API rate limits hit", "Dashboard slow")


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pattern(rng: random.Random, churns: bool) -> str:
    roll = rng.random()
    if churns:  # some churners show nothing at all: the surprise every book has
        return "decline" if roll < 0.45 else "escalations" if roll < 0.7 else "silent" if roll < 0.85 else "steady"
    return "dip" if roll < 0.15 else "stray_escalation" if roll < 0.23 else "quiet" if roll < 0.27 else "steady"


class _Account:
    """One account's rows, generated from its own random stream (so a book's accounts do not depend on size)."""

    def __init__(self, index: int, seed: int, now: datetime) -> None:
        rng = random.Random(seed * 1_000_003 + index)
        self.rng, self.now, self.index = rng, now, index
        self.id = f"ACC-{10001 + index}"
        story = index == STORY_INDEX
        self.tier = "tier1" if story else rng.choices(("tier1", "tier2", "tier3"), (15, 35, 50))[0]
        lo, hi = {"tier1": (120_000, 600_000), "tier2": (30_000, 120_000), "tier3": (5_000, 30_000)}[self.tier]
        self.arr_cents = rng.randrange(lo, hi) * 100
        # the owner who left still holds a few accounts (reassignment is in progress), not a twelfth of the book
        self.owner = (
            "ava" if story else rng.choices(ACCOUNT_OWNERS, [0.08 if o == "jon" else 1 for o in ACCOUNT_OWNERS])[0]
        )
        self.churns = story or rng.random() < 0.14
        self.pattern = "story" if story else _pattern(rng, self.churns)
        self.no_data = index % 499 == 11
        self.broken_usage = index % 397 == 5

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        rng, now, aid = self.rng, self.now, self.id
        name = f"{rng.choice(_PREFIX)} {rng.choice(_SUFFIX)} {self.index}"
        out: dict[str, list[dict[str, Any]]] = {t: [] for t in _TABLES}
        out["accounts"].append(
            {
                "account_id": aid,
                "name": name,
                "tier": self.tier,
                "arr_cents": self.arr_cents,
                "owner_id": self.owner,
                "industry": rng.choice(_INDUSTRY),
                "customer_since": _ts(now - timedelta(days=rng.randrange(200, 2500))),
            }
        )
        renewal_days = self._renewal_days()
        churn_at = now + timedelta(days=max(renewal_days, 1) if renewal_days < 200 else rng.randrange(30, 200))
        out["account_outcomes"].append(
            {"account_id": aid, "outcome": "churned" if self.churns else "renewed", "at": _ts(churn_at)}
        )
        if self.no_data:
            return out
        for n in range(rng.randrange(1, 4)):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            out["contacts"].append(
                {
                    "contact_id": f"CT-{(10001 + self.index) * 10 + n}",
                    "account_id": aid,
                    "name": f"{first} {last}",
                    "email": f"{first.lower()}.{last.lower()}@{name.split()[0].lower()}.example",
                    "title": ("VP Operations", "IT Director", "Head of Procurement")[n % 3],
                    "is_primary": int(n == 0),
                }
            )
        out["opportunities"].append(
            {
                "opportunity_id": f"OP-{(10001 + self.index) * 10}",
                "account_id": aid,
                "kind": "renewal",
                "stage": "negotiation" if renewal_days < 45 else "proposal" if renewal_days < 120 else "discovery",
                "amount_cents": self.arr_cents,
                "close_date": (now + timedelta(days=renewal_days)).date().isoformat(),
                "escalated": 0,
                "escalation_reason": None,
            }
        )
        out["usage_daily"].extend(self._usage())
        out["support_cases"].extend(self._cases())
        out["activities"].extend(self._activities())
        return out

    def _renewal_days(self) -> int:
        if self.pattern == "story":
            return 60
        if self.churns and self.rng.random() < 0.7:
            return self.rng.randrange(15, 120)
        return self.rng.randrange(5, 365)

    def _usage(self) -> list[dict[str, Any]]:
        rng = self.rng
        base = {"tier1": rng.randrange(200, 1500), "tier2": rng.randrange(50, 300), "tier3": rng.randrange(8, 60)}
        seats = base[self.tier]
        drop, start = 0.0, HISTORY_DAYS
        match self.pattern:
            case "story":
                drop, start = 0.42, HISTORY_DAYS - 21
            case "decline":
                drop, start = rng.uniform(0.2, 0.6), HISTORY_DAYS - rng.randrange(14, 42)
            case "escalations" | "silent":
                drop, start = rng.uniform(0.05, 0.3), HISTORY_DAYS - rng.randrange(14, 42)
            case "dip":
                drop, start = rng.uniform(0.25, 0.6), HISTORY_DAYS - rng.randrange(10, 16)
        rows = []
        first_day = self.now.date() - timedelta(days=HISTORY_DAYS - 1)
        for d in range(HISTORY_DAYS):
            day = first_day + timedelta(days=d)
            trend = 1.0 if d < start else 1.0 - drop * min(1.0, (d - start + 1) / 14)
            weekday = 0.55 if day.weekday() >= 5 else 1.0
            value: int | None = max(0, round(seats * trend * weekday * rng.gauss(1.0, 0.07)))
            if self.broken_usage and d % 7 in (2, 5):
                value = None if d % 2 else -1
            rows.append({"account_id": self.id, "day": day.isoformat(), "active_users": value})
        return rows

    def _cases(self) -> list[dict[str, Any]]:
        rng, now = self.rng, self.now
        escalations = {"story": 2, "escalations": rng.randrange(2, 4), "stray_escalation": 1}.get(self.pattern, 0)
        if self.pattern == "decline" and rng.random() < 0.35:
            escalations = 1
        cases = []
        for n in range(rng.randrange(0, 4) + escalations):
            escalated = n < escalations
            opened = now - timedelta(days=rng.randrange(1, 6) if escalated else rng.randrange(3, 80), hours=n)
            recent = self.pattern == "story" or rng.random() < 0.75
            escalated_at = opened + timedelta(hours=6) if escalated and recent else opened + timedelta(days=20)
            if escalated_at > now:
                escalated_at = now - timedelta(hours=1 + n)
            is_open = escalated or rng.random() < 0.15
            cases.append(
                {
                    "case_id": f"CS-{(10001 + self.index) * 10 + n}",
                    "account_id": self.id,
                    "subject": rng.choice(_CASES),
                    "priority": "high" if escalated else rng.choice(("low", "normal")),
                    "status": "open" if is_open else "closed",
                    "escalated": int(escalated),
                    "opened_at": _ts(opened),
                    "escalated_at": _ts(escalated_at) if escalated else None,
                    "closed_at": None if is_open else _ts(opened + timedelta(days=2)),
                }
            )
        return cases

    def _activities(self) -> list[dict[str, Any]]:
        rng, now = self.rng, self.now
        gap = {"silent": rng.randrange(50, 120), "quiet": rng.randrange(46, 80), "story": 21}.get(
            self.pattern, rng.randrange(2, 40)
        )
        rows = []
        for n, days in enumerate((gap, gap + rng.randrange(10, 40))):
            if days > HISTORY_DAYS + 60:
                continue
            rows.append(
                {
                    "activity_id": f"AC-{(10001 + self.index) * 10 + n}",
                    "account_id": self.id,
                    "kind": rng.choice(("meeting", "call", "qbr")),
                    "at": _ts(now - timedelta(days=days, hours=3)),
                    "summary": "Business review with the customer's team",
                    "meaningful": 1,
                    "held_by": self.owner,  # the owner of record met or called them
                }
            )
        return rows


_TABLES = (
    "owners",
    "accounts",
    "contacts",
    "activities",
    "support_cases",
    "opportunities",
    "usage_daily",
    "health_notes",
    "sent_emails",
    "owner_changes",
    "account_outcomes",
)


def generate(size: int, seed: int, now: datetime = BOOK_NOW) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``size`` accounts (at least the story's) as ``{"accounts": {table: rows}}``, the same for the same seed."""
    size = max(size, STORY_INDEX + 1)
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in _TABLES}
    tables["owners"] = [
        {"owner_id": o, "name": n, "email": f"{o}@company.example", "team": t, "manager_id": m, "status": s}
        for o, (n, t, m, s) in OWNERS.items()
    ]
    for index in range(size):
        for table, rows in _Account(index, seed, now).rows().items():
            tables[table].extend(rows)
    meta = {
        "book_now": _ts(now),
        "seed": str(seed),
        "accounts": str(size),
        "story_account_id": f"ACC-{10001 + STORY_INDEX}",
    }
    tables["meta"] = [{"key": k, "value": v} for k, v in sorted({**meta, "system": "accounts"}.items())]
    tables["sequences"] = [{"prefix": p, "value": 0} for p in ("EM", "HN", "OC")]
    return {"accounts": tables}


def story_account_id(home: Path | None = None) -> str | None:
    return book_meta("accounts", "story_account_id", home)


BOOK = Book("accounts", "accounts", 2000, generate, mission="account-save", story=story_account_id)
