"""The simulated B2B account system: reads of one account or of the whole book, and the four writes a save play
needs (an email to a contact, a renewal escalation, a new owner, a health note).

Ground truth (``account_outcomes``: which accounts later renewed or churned) is in the database for evaluation
only; no tool serves it, as no real CRM knows the future.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, Field

from ai_missions.integrations.arguments import IdempotencyKey, Reason
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.plugin import Replayable, SimulatedSystem
from ai_missions.integrations.store import book_now, money, next_id, require_row, require_text, to_ts
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError

AccountId = Annotated[str, Field(min_length=1, max_length=64, description="Account id, e.g. ACC-10001")]
ContactId = Annotated[str, Field(min_length=1, max_length=64, description="Contact id, e.g. CT-100011")]
OwnerId = Annotated[str, Field(min_length=1, max_length=64, description="Owner id (the owner's account name)")]
OpportunityId = Annotated[str, Field(min_length=1, max_length=64, description="Opportunity id, e.g. OP-100011")]
Subject = Annotated[str, Field(min_length=1, max_length=200, description="Email subject")]
Body = Annotated[str, Field(min_length=1, max_length=5000, description="Email or note text")]
Author = Annotated[str, Field(min_length=1, max_length=64, description="Who writes the note")]
After = Annotated[str, Field(max_length=64, description="Return accounts after this id ('' for the first page)")]
Limit = Annotated[int, Field(strict=True, ge=1, le=2000, description="Accounts per page")]

DDL = """
CREATE TABLE owners (
    owner_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, team TEXT NOT NULL,
    manager_id TEXT, status TEXT NOT NULL CHECK (status IN ('active', 'away', 'left'))
) STRICT;
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL CHECK (tier IN ('tier1', 'tier2', 'tier3')),
    arr_cents INTEGER NOT NULL, owner_id TEXT NOT NULL, industry TEXT NOT NULL, customer_since TEXT NOT NULL
) STRICT;
CREATE INDEX accounts_owner ON accounts (owner_id);
CREATE TABLE contacts (
    contact_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), name TEXT NOT NULL,
    email TEXT NOT NULL, title TEXT NOT NULL, is_primary INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_account ON contacts (account_id);
CREATE TABLE activities (
    activity_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), kind TEXT NOT NULL,
    at TEXT NOT NULL, summary TEXT NOT NULL, meaningful INTEGER NOT NULL, held_by TEXT
) STRICT;
CREATE INDEX activities_account ON activities (account_id, at);
CREATE TABLE support_cases (
    case_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), subject TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')), escalated INTEGER NOT NULL,
    opened_at TEXT NOT NULL, escalated_at TEXT, closed_at TEXT
) STRICT;
CREATE INDEX support_cases_account ON support_cases (account_id, opened_at);
CREATE TABLE opportunities (
    opportunity_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id),
    kind TEXT NOT NULL CHECK (kind IN ('renewal', 'expansion')), stage TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    close_date TEXT NOT NULL, escalated INTEGER NOT NULL DEFAULT 0, escalation_reason TEXT
) STRICT;
CREATE INDEX opportunities_account ON opportunities (account_id);
CREATE TABLE usage_daily (
    account_id TEXT NOT NULL REFERENCES accounts (account_id), day TEXT NOT NULL, active_users INTEGER,
    PRIMARY KEY (account_id, day)
) STRICT;
CREATE TABLE health_notes (
    note_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), author TEXT NOT NULL,
    body TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE INDEX health_notes_account ON health_notes (account_id, at);
CREATE TABLE sent_emails (
    email_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, contact_id TEXT NOT NULL, subject TEXT NOT NULL,
    body TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE owner_changes (
    change_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, from_owner TEXT NOT NULL, to_owner TEXT NOT NULL,
    reason TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE TABLE account_outcomes (
    account_id TEXT PRIMARY KEY, outcome TEXT NOT NULL CHECK (outcome IN ('renewed', 'churned')), at TEXT NOT NULL
) STRICT;
"""
SYSTEM = SimulatedSystem("accounts", "B2B accounts (sales CRM)", DDL)

#: How far back the context read looks (days of usage, cases and activities).
HISTORY_DAYS = 84
RECENT_DAYS = 14
PRIOR_DAYS = 28


class Owner(BaseModel):
    owner_id: str
    name: str
    email: str
    team: str
    manager_id: str | None
    status: str


class Account(BaseModel):
    account_id: str
    name: str
    tier: str
    arr: float
    owner_id: str
    industry: str
    customer_since: str


class Contact(BaseModel):
    contact_id: str
    name: str
    email: str
    title: str
    is_primary: bool


class Activity(BaseModel):
    activity_id: str
    kind: str
    at: str
    summary: str
    meaningful: bool
    #: The owner id of who held it (met, called, ran the review); None when the log does not say.
    held_by: str | None = None


class SupportCase(BaseModel):
    case_id: str
    subject: str
    priority: str
    status: str
    escalated: bool
    opened_at: str
    escalated_at: str | None
    closed_at: str | None


class Opportunity(BaseModel):
    opportunity_id: str
    kind: str
    stage: str
    amount: float
    close_date: str
    escalated: bool


class UsagePoint(BaseModel):
    day: str
    active_users: int | None


class HealthNote(BaseModel):
    note_id: str
    author: str
    body: str
    at: str


class AccountContext(ContextRead):
    account_id: str
    book_now: str
    account: Account | None
    owner: Owner | None
    manager: Owner | None
    contacts: list[Contact] | None
    activities: list[Activity] | None
    support_cases: list[SupportCase] | None
    opportunities: list[Opportunity] | None
    usage: list[UsagePoint] | None
    health_notes: list[HealthNote] | None


class AccountSignals(BaseModel):
    """One account as a morning scan sees it: cheap aggregates, no series."""

    account_id: str
    tier: str
    arr: float
    owner_id: str
    owner_status: str
    usage_days: int
    usage_invalid_days: int
    usage_recent_avg: float | None
    usage_prior_avg: float | None
    escalations_7d: int
    escalations_14d: int
    open_cases: int
    renewal_days: int | None
    days_since_contact: int | None


class SignalsPage(BaseModel):
    book_now: str
    accounts: list[AccountSignals]
    next_after: str | None


class OwnersList(BaseModel):
    owners: list[Owner]


class EmailResult(Replayable):
    email_id: str
    account_id: str
    contact_id: str
    sent_at: str


class RenewalEscalation(Replayable):
    opportunity_id: str
    account_id: str
    escalated: bool


class OwnerChange(Replayable):
    change_id: str
    account_id: str
    from_owner: str
    to_owner: str


class NoteResult(Replayable):
    note_id: str
    account_id: str


def _owner(conn: sqlite3.Connection, owner_id: str | None) -> Owner | None:
    if owner_id is None:
        return None
    row = conn.execute("SELECT * FROM owners WHERE owner_id = ?", (owner_id,)).fetchone()
    return None if row is None else Owner(**dict(row))


def _account_row(conn: sqlite3.Connection, account_id: str) -> sqlite3.Row:
    account_id = require_text(account_id, "account_id", max_length=64)
    return require_row(conn, "SELECT * FROM accounts WHERE account_id = ?", (account_id,), "account", account_id)


@SYSTEM.read
def get_account(conn: sqlite3.Connection, account_id: AccountId) -> Account:
    """One account: name, tier, annual contract value, owner.

    Unknown ids are `not_found`."""
    row = _account_row(conn, account_id)
    return Account(**{**dict(row), "arr": money(row["arr_cents"])})


@SYSTEM.read
def get_account_context(conn: sqlite3.Connection, account_id: AccountId) -> AccountContext:
    """Everything about one account in one read: owner and manager, contacts, recent activities, support cases,
    opportunities, the daily usage series and health notes.

    The account, owner, manager and every record of the last 84 days; a part that fails is null under
    `missing`."""
    account = get_account(conn, account_id)
    now = book_now(conn)
    since = to_ts(now - timedelta(days=HISTORY_DAYS))
    owner = _owner(conn, account.owner_id)
    aid = account.account_id
    return AccountContext(
        account_id=aid,
        book_now=to_ts(now),
        account=account,
        owner=owner,
        manager=_owner(conn, owner.manager_id) if owner else None,
        **read_parts(
            {
                "contacts": lambda: [
                    Contact(**{**dict(r), "is_primary": bool(r["is_primary"])})
                    for r in conn.execute(
                        "SELECT * FROM contacts WHERE account_id = ? ORDER BY is_primary DESC, contact_id", (aid,)
                    )
                ],
                "activities": lambda: [
                    Activity(**{**dict(r), "meaningful": bool(r["meaningful"])})
                    for r in conn.execute(
                        "SELECT * FROM activities WHERE account_id = ? ORDER BY at DESC LIMIT 20", (aid,)
                    )
                ],
                "support_cases": lambda: [
                    SupportCase(**{**dict(r), "escalated": bool(r["escalated"])})
                    for r in conn.execute(
                        "SELECT * FROM support_cases WHERE account_id = ? AND (opened_at >= ? OR status = 'open') "
                        "ORDER BY opened_at DESC",
                        (aid, since),
                    )
                ],
                "opportunities": lambda: [
                    Opportunity(**{**dict(r), "amount": money(r["amount_cents"]), "escalated": bool(r["escalated"])})
                    for r in conn.execute(
                        "SELECT * FROM opportunities WHERE account_id = ? ORDER BY close_date", (aid,)
                    )
                ],
                "usage": lambda: [
                    UsagePoint(day=r["day"], active_users=r["active_users"])
                    for r in conn.execute(
                        "SELECT day, active_users FROM usage_daily WHERE account_id = ? AND day >= ? ORDER BY day",
                        (aid, since[:10]),
                    )
                ],
                "health_notes": lambda: [
                    HealthNote(**dict(r))
                    for r in conn.execute(
                        "SELECT * FROM health_notes WHERE account_id = ? ORDER BY at DESC LIMIT 10", (aid,)
                    )
                ],
            }
        ),
    )


_SIGNALS_SQL = """
WITH page AS (
    SELECT a.account_id, a.tier, a.arr_cents, a.owner_id, o.status AS owner_status
    FROM accounts a JOIN owners o ON o.owner_id = a.owner_id
    WHERE a.account_id > :after ORDER BY a.account_id LIMIT :limit
),
usage AS (
    SELECT u.account_id,
           COUNT(*) AS days,
           SUM(u.active_users IS NULL OR u.active_users < 0) AS invalid,
           AVG(CASE WHEN u.day > :recent AND u.active_users >= 0 THEN u.active_users END) AS recent_avg,
           AVG(CASE WHEN u.day <= :recent AND u.day > :prior AND u.active_users >= 0 THEN u.active_users END)
               AS prior_avg
    FROM usage_daily u JOIN page p ON p.account_id = u.account_id
    WHERE u.day > :prior GROUP BY u.account_id
),
cases AS (
    SELECT c.account_id,
           SUM(c.escalated = 1 AND c.escalated_at >= :week) AS esc7,
           SUM(c.escalated = 1 AND c.escalated_at >= :fortnight) AS esc14,
           SUM(c.status = 'open') AS open_cases
    FROM support_cases c JOIN page p ON p.account_id = c.account_id GROUP BY c.account_id
),
renewals AS (
    SELECT r.account_id, MIN(r.close_date) AS close_date
    FROM opportunities r JOIN page p ON p.account_id = r.account_id
    WHERE r.kind = 'renewal' AND r.stage NOT IN ('closed_won', 'closed_lost') GROUP BY r.account_id
),
contact AS (
    SELECT t.account_id, MAX(t.at) AS last_at
    FROM activities t JOIN page p ON p.account_id = t.account_id WHERE t.meaningful = 1 GROUP BY t.account_id
)
SELECT p.*, u.days, u.invalid, u.recent_avg, u.prior_avg, c.esc7, c.esc14, c.open_cases,
       r.close_date, k.last_at
FROM page p
LEFT JOIN usage u ON u.account_id = p.account_id
LEFT JOIN cases c ON c.account_id = p.account_id
LEFT JOIN renewals r ON r.account_id = p.account_id
LEFT JOIN contact k ON k.account_id = p.account_id
ORDER BY p.account_id
"""


@SYSTEM.read
def list_account_signals(conn: sqlite3.Connection, after: After = "", limit: Limit = 500) -> SignalsPage:
    """A page of the whole book as compact signals per account (usage averages, escalations, renewal, last
    contact, owner status): the cheap read a morning scan scores every account from.

    Page through the book by account id; `next_after` is null on the last page."""
    if not 1 <= limit <= 2000:
        raise ValidationError("limit must be between 1 and 2000")
    now = book_now(conn)
    day = now.date()
    params = {
        "after": after,
        "limit": limit,
        "recent": (day - timedelta(days=RECENT_DAYS)).isoformat(),
        "prior": (day - timedelta(days=RECENT_DAYS + PRIOR_DAYS)).isoformat(),
        "week": to_ts(now - timedelta(days=7)),
        "fortnight": to_ts(now - timedelta(days=14)),
    }
    rows = conn.execute(_SIGNALS_SQL, params).fetchall()
    accounts = []
    for r in rows:
        renewal = (to_date(r["close_date"]) - day).days if r["close_date"] else None
        contact = (day - to_date(r["last_at"])).days if r["last_at"] else None
        accounts.append(
            AccountSignals(
                account_id=r["account_id"],
                tier=r["tier"],
                arr=money(r["arr_cents"]),
                owner_id=r["owner_id"],
                owner_status=r["owner_status"],
                usage_days=r["days"] or 0,
                usage_invalid_days=r["invalid"] or 0,
                usage_recent_avg=None if r["recent_avg"] is None else round(r["recent_avg"], 2),
                usage_prior_avg=None if r["prior_avg"] is None else round(r["prior_avg"], 2),
                escalations_7d=r["esc7"] or 0,
                escalations_14d=r["esc14"] or 0,
                open_cases=r["open_cases"] or 0,
                renewal_days=renewal,
                days_since_contact=contact,
            )
        )
    next_after = accounts[-1].account_id if len(accounts) == limit else None
    return SignalsPage(book_now=to_ts(now), accounts=accounts, next_after=next_after)


def to_date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text[:10])


@SYSTEM.read
def list_owners(conn: sqlite3.Connection) -> OwnersList:
    """Account owners with their team, manager and status (active, away, left).

    Every owner, active or not."""
    return OwnersList(owners=[Owner(**dict(r)) for r in conn.execute("SELECT * FROM owners ORDER BY owner_id")])


@SYSTEM.write(irreversible=True, reaches_outside=True)
def send_account_email(
    conn: sqlite3.Connection,
    account_id: AccountId,
    contact_id: ContactId,
    subject: Subject,
    body: Body,
    idempotency_key: IdempotencyKey,
) -> EmailResult:
    """Send an email to a contact of the account on the owner's behalf.

    Reaches the customer: sent once per idempotency key."""
    subject = require_text(subject, "subject", max_length=200)
    body = require_text(body, "body", max_length=5000)
    _account_row(conn, account_id)
    contact = conn.execute(
        "SELECT 1 FROM contacts WHERE contact_id = ? AND account_id = ?", (contact_id, account_id)
    ).fetchone()
    if contact is None:
        raise NotFoundError(f"contact {contact_id!r} is not a contact of account {account_id}")
    email_id = next_id(conn, "EM")
    sent_at = to_ts(book_now(conn))
    conn.execute(
        "INSERT INTO sent_emails VALUES (?, ?, ?, ?, ?, ?)",
        (email_id, account_id, contact_id, subject, body, sent_at),
    )
    return EmailResult(email_id=email_id, account_id=account_id, contact_id=contact_id, sent_at=sent_at)


@SYSTEM.write
def escalate_renewal(
    conn: sqlite3.Connection,
    opportunity_id: OpportunityId,
    account_id: AccountId,
    reason: Reason,
    idempotency_key: IdempotencyKey,
) -> RenewalEscalation:
    """Escalate a renewal opportunity to the sales leadership's save desk.

    Only an open renewal of this account."""
    reason = require_text(reason, "reason", max_length=500)
    row = require_row(
        conn,
        "SELECT * FROM opportunities WHERE opportunity_id = ?",
        (opportunity_id,),
        "opportunity",
        opportunity_id,
    )
    if row["account_id"] != account_id:
        raise ConflictError(f"opportunity {opportunity_id} is not account {account_id}'s")
    if row["kind"] != "renewal" or row["stage"] in ("closed_won", "closed_lost"):
        raise ConflictError(f"opportunity {opportunity_id} is not an open renewal")
    conn.execute(
        "UPDATE opportunities SET escalated = 1, escalation_reason = ? WHERE opportunity_id = ?",
        (reason, opportunity_id),
    )
    return RenewalEscalation(opportunity_id=opportunity_id, account_id=account_id, escalated=True)


@SYSTEM.write
def reassign_account_owner(
    conn: sqlite3.Connection,
    account_id: AccountId,
    new_owner_id: OwnerId,
    reason: Reason,
    idempotency_key: IdempotencyKey,
) -> OwnerChange:
    """Give the account a new owner.

    Never to an owner who left."""
    reason = require_text(reason, "reason", max_length=500)
    row = _account_row(conn, account_id)
    owner = _owner(conn, new_owner_id)
    if owner is None:
        raise NotFoundError(f"unknown owner {new_owner_id!r}")
    if owner.status == "left":
        raise ConflictError(f"{new_owner_id} has left the company and cannot own accounts")
    change_id = next_id(conn, "OC")
    conn.execute("UPDATE accounts SET owner_id = ? WHERE account_id = ?", (new_owner_id, account_id))
    conn.execute(
        "INSERT INTO owner_changes VALUES (?, ?, ?, ?, ?, ?)",
        (change_id, account_id, row["owner_id"], new_owner_id, reason, to_ts(book_now(conn))),
    )
    return OwnerChange(change_id=change_id, account_id=account_id, from_owner=row["owner_id"], to_owner=new_owner_id)


@SYSTEM.write
def add_health_note(
    conn: sqlite3.Connection, account_id: AccountId, body: Body, author: Author, idempotency_key: IdempotencyKey
) -> NoteResult:
    """Add an internal health note to the account.

    Internal only."""
    body = require_text(body, "body", max_length=2000)
    author = require_text(author, "author", max_length=64)
    _account_row(conn, account_id)
    note_id = next_id(conn, "HN")
    conn.execute(
        "INSERT INTO health_notes VALUES (?, ?, ?, ?, ?)",
        (note_id, account_id, author, body, to_ts(book_now(conn))),
    )
    return NoteResult(note_id=note_id, account_id=account_id)
