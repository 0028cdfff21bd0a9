"""What the account owners did with each account of the morning brief, labelled the way an operations lead reads
an account, and independently of the mission: none of the playbook's thresholds, windows or weights (``scoring``,
the ACC policies) is imported or copied here. Owners look at the raw records (the usage series, open support
cases, their own calendar, the renewal date) with their own rules of thumb, act on real trouble, shrug off noise,
and are sometimes simply too busy.

Actions (one per account and brief):

- ``reassigned``: the owner left; their manager hands the account to someone else (to the manager, in the record);
- ``escalated``: serious trouble with the renewal close: the renewal goes to the save desk and the owner writes;
- ``edited``: serious trouble; the owner sends the outreach after rewording it (big accounts get a personal note);
- ``approved``: serious trouble; the owner sends the outreach as drafted;
- ``rejected``: something looked off but the owner knows better, and says why (a one-off case, a quiet but happy
  customer, a dip they were told about);
- ``nothing``: nothing worth a word, or no time (a few busy owners let real trouble slide).

Which owner is "busy" or "edits" is a stable hash of the account id, so the labels are the same on every run. A busy
owner's "nothing" is a slip, not a judgement of the account: the action says so (``slip``), the harness's cases tag
it ``noise:busy-owner``, and :func:`label` with ``slips=False`` (the team's rules without their slips) says what the
owner's own rules call for on those records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

ACTIONS = ("approved", "edited", "rejected", "escalated", "reassigned", "nothing")


@dataclass(frozen=True, slots=True)
class OwnerView:
    """What the owner sees on the account, in the owner's own terms."""

    weekday_drop: float | None  # share lost: last 10 days' weekday average vs the first eight weeks' (None: unusable)
    earlier_drop: float | None  # the same for the 10 days before those: a decline lasts, a dip comes and goes
    hot_cases: int  # open, high-priority cases escalated in the last 10 days
    quiet_days: int | None  # days since the owner last met or called them (None: never)
    renewal_in: int | None  # days to the open renewal (None: none open)
    has_records: bool


@dataclass(frozen=True, slots=True)
class OwnerAction:
    action: str
    reason: str
    trouble: tuple[str, ...]  # what the owner saw, in their words
    slip: str | None = None  # why the action is not what the owner's own rules call for (None: it is)


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _roll(account_id: str, purpose: str) -> float:
    """A stable number in [0, 1) for this account and purpose (who is busy, who rewords)."""
    digest = hashlib.sha256(f"{purpose}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def owner_view(record: Mapping[str, Any], now: datetime) -> OwnerView:
    today = now.date()
    usage = record.get("usage") or []
    weekdays = [(p, _day(p["day"])) for p in usage if _day(p["day"]).weekday() < 5]
    drop = earlier = None
    if weekdays and not any(p["active_users"] is None or p["active_users"] < 0 for p in usage):
        early = [p["active_users"] for p, d in weekdays if d <= today - timedelta(days=28)]
        base = sum(early) / len(early) if early else 0

        def lost(newest: int, oldest: int) -> float | None:
            days = [
                p["active_users"]
                for p, d in weekdays
                if today - timedelta(days=oldest) < d <= today - timedelta(days=newest)
            ]
            return round(1 - (sum(days) / len(days)) / base, 3) if days and base else None

        drop, earlier = lost(0, 10), lost(10, 20)
    hot = sum(
        1
        for c in record.get("cases") or []
        if c["escalated"]
        and c["status"] == "open"
        and c["priority"] == "high"
        and c.get("escalated_at")
        and _day(c["escalated_at"]) > today - timedelta(days=10)
    )
    met = [_day(a["at"]) for a in record.get("activities") or [] if a["meaningful"]]
    renewals = [
        _day(o["close_date"])
        for o in record.get("opportunities") or []
        if o["kind"] == "renewal" and o["stage"] not in ("closed_won", "closed_lost")
    ]
    return OwnerView(
        weekday_drop=drop,
        earlier_drop=earlier,
        hot_cases=hot,
        quiet_days=(today - max(met)).days if met else None,
        renewal_in=(min(renewals) - today).days if renewals else None,
        has_records=bool(usage or record.get("cases") or renewals or record.get("contacts")),
    )


#: The slip of an owner with no time this week: real trouble seen, nothing done.
BUSY = "busy-owner"


def label(record: Mapping[str, Any], now: datetime, *, slips: bool = True) -> OwnerAction:
    """What the account's owner (or, when the owner left, their manager) did with it; with ``slips=False``, what
    their own rules call for (a busy owner acts on the trouble they saw)."""
    account_id = str(record["account"]["account_id"])
    owner = record.get("owner") or {}
    if owner.get("status") == "left":
        return OwnerAction("reassigned", f"{owner.get('name')} left; the account needs an owner", ("owner left",))
    view = owner_view(record, now)
    if not view.has_records:
        return OwnerAction("nothing", "nothing on record to act on", ())
    serious: list[str] = []
    minor: list[str] = []
    if view.weekday_drop is not None:
        lasting = view.earlier_drop is not None and view.earlier_drop >= 0.1
        if view.weekday_drop >= 0.22 and lasting:
            serious.append("usage falling")
        elif view.weekday_drop >= 0.12:
            minor.append("usage down lately")
    if view.hot_cases >= 2:
        serious.append("several hot support cases")
    elif view.hot_cases == 1:
        minor.append("one hot support case")
    if view.quiet_days is None or view.quiet_days >= 55:
        serious.append("not spoken for two months")
    elif view.quiet_days >= 40:
        minor.append("quiet for a while")
    if serious:
        if slips and _roll(account_id, "busy") < 0.07:
            return OwnerAction("nothing", "no time this week", tuple(serious), slip=BUSY)
        big = record["account"]["tier"] == "tier1"
        renewal_close = view.renewal_in is not None and 0 <= view.renewal_in <= 75
        if renewal_close and (len(serious) >= 2 or big):
            return OwnerAction("escalated", "renewal at risk: save desk and a personal note", tuple(serious))
        if big or _roll(account_id, "rewords") < 0.3:
            return OwnerAction("edited", "sent in my own words", tuple(serious))
        return OwnerAction("approved", "sent as drafted", tuple(serious))
    if minor:
        # the reason is the decider's own: the owner's, or their manager's, who knows it from the owner, when away
        owner_name = str(owner.get("name") or "the owner").split(" ")[0]
        holder = "me" if owner.get("status") == "active" else owner_name
        why = {
            "usage down lately": f"a seasonal dip they told {holder} about",
            "one hot support case": "a one-off case, already being fixed",
            "quiet for a while": (
                "we talk often enough; they are happy"
                if owner.get("status") == "active"
                else f"{owner_name} talks to them often enough; they are happy"
            ),
        }
        return OwnerAction("rejected", "; ".join(why[m] for m in minor), tuple(minor))
    return OwnerAction("nothing", "all well", ())


#: What each owner action means for the mission's proposal: the tools the owner's action took (reference actions).
TOOLS_OF: dict[str, tuple[str, ...]] = {
    "approved": ("send_account_email",),
    "edited": ("send_account_email",),
    "escalated": ("escalate_renewal", "send_account_email"),
    "reassigned": ("reassign_account_owner",),
    "rejected": (),
    "nothing": (),
}
#: The same, as one of the mission's outcomes (for the harness's resolution).
OUTCOME_OF = {
    "approved": "check_in",
    "edited": "check_in",
    "escalated": "save_play",
    "reassigned": "reassign",
    "rejected": "watch",
    "nothing": "watch",
}
CUSTOMER_FACING = ("send_account_email", "escalate_renewal", "reassign_account_owner")


def agrees(owner_action: str, proposed_tools: Sequence[str]) -> bool:
    """Whether the mission's proposal does what the owner did: the same customer-facing tools (a health note is
    the mission's own record and does not count)."""
    return {t for t in proposed_tools if t in CUSTOMER_FACING} == set(TOOLS_OF[owner_action])
