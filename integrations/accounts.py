"""The simulated B2B account system: reads of one account or of the whole book, and the four writes a save play
needs (an email to a contact, a renewal escalation, a new owner, a health note).

Ground truth (``account_outcomes``: which accounts later renewed or churned) is in the database for evaluation
only; no tool serves it, as no real CRM knows the future.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from ai_missions.errors import ConflictError, NotFoundError, ValidationError
from ai_missions.integrations.context_reads import ContextRead, read_parts
from ai_missions.integrations.store import book_now, idempotent_write, money, next_id, require_row, require_text, to_ts

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


class EmailResult(BaseModel):
    email_id: str
    account_id: str
    contact_id: str
    sent_at: str
    replayed: bool = False


class RenewalEscalation(BaseModel):
    opportunity_id: str
    account_id: str
    escalated: bool
    replayed: bool = False


class OwnerChange(BaseModel):
    change_id: str
    account_id: str
    from_owner: str
    to_owner: str
    replayed: bool = False


class NoteResult(BaseModel):
    note_id: str
    account_id: str
    replayed: bool = False


def _owner(conn: sqlite3.Connection, owner_id: str | None) -> Owner | None:
    if owner_id is None:
        return None
    row = conn.execute("SELECT * FROM owners WHERE owner_id = ?", (owner_id,)).fetchone()
    return None if row is None else Owner(**dict(row))


def _account_row(conn: sqlite3.Connection, account_id: str) -> sqlite3.Row:
    account_id = require_text(account_id, "account_id", max_length=64)
    return require_row(conn, "SELECT * FROM accounts WHERE account_id = ?", (account_id,), "account", account_id)


def get_account(conn: sqlite3.Connection, account_id: str) -> Account:
    row = _account_row(conn, account_id)
    return Account(**{**dict(row), "arr": money(row["arr_cents"])})


def get_account_context(conn: sqlite3.Connection, account_id: str) -> AccountContext:
    """One account and every record about it over the last :data:`HISTORY_DAYS` days."""
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


def list_account_signals(conn: sqlite3.Connection, after: str = "", limit: int = 500) -> SignalsPage:
    """Up to ``limit`` accounts after ``after`` (by id) as signals, in one query."""
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


def list_owners(conn: sqlite3.Connection) -> OwnersList:
    return OwnersList(owners=[Owner(**dict(r)) for r in conn.execute("SELECT * FROM owners ORDER BY owner_id")])


def send_account_email(
    conn: sqlite3.Connection, account_id: str, contact_id: str, subject: str, body: str, idempotency_key: str
) -> EmailResult:
    """Send (record) an email to one of the account's contacts; once per idempotency key."""
    subject = require_text(subject, "subject", max_length=200)
    body = require_text(body, "body", max_length=5000)

    def perform() -> EmailResult:
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

    args = {"account_id": account_id, "contact_id": contact_id, "subject": subject, "body": body}
    return idempotent_write(conn, "send_account_email", idempotency_key, args, EmailResult, perform)


def escalate_renewal(
    conn: sqlite3.Connection, opportunity_id: str, account_id: str, reason: str, idempotency_key: str
) -> RenewalEscalation:
    reason = require_text(reason, "reason", max_length=500)

    def perform() -> RenewalEscalation:
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

    args = {"opportunity_id": opportunity_id, "account_id": account_id, "reason": reason}
    return idempotent_write(conn, "escalate_renewal", idempotency_key, args, RenewalEscalation, perform)


def reassign_account_owner(
    conn: sqlite3.Connection, account_id: str, new_owner_id: str, reason: str, idempotency_key: str
) -> OwnerChange:
    reason = require_text(reason, "reason", max_length=500)

    def perform() -> OwnerChange:
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
        return OwnerChange(
            change_id=change_id, account_id=account_id, from_owner=row["owner_id"], to_owner=new_owner_id
        )

    args = {"account_id": account_id, "new_owner_id": new_owner_id, "reason": reason}
    return idempotent_write(conn, "reassign_account_owner", idempotency_key, args, OwnerChange, perform)


def add_health_note(
    conn: sqlite3.Connection, account_id: str, body: str, author: str, idempotency_key: str
) -> NoteResult:
    body = require_text(body, "body", max_length=2000)
    author = require_text(author, "author", max_length=64)

    def perform() -> NoteResult:
        _account_row(conn, account_id)
        note_id = next_id(conn, "HN")
        conn.execute(
            "INSERT INTO health_notes VALUES (?, ?, ?, ?, ?)",
            (note_id, account_id, author, body, to_ts(book_now(conn))),
        )
        return NoteResult(note_id=note_id, account_id=account_id)

    args = {"account_id": account_id, "body": body, "author": author}
    return idempotent_write(conn, "add_health_note", idempotency_key, args, NoteResult, perform)
