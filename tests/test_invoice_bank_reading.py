"""AP-008 through the reading layer: only a call-back verifies a new bank account (issue 28, third example)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.invoice_approval.facts import verified_by_call_back


def vendor(method: str | None, verified: bool = True) -> dict[str, object]:
    account = {"account_id": "BA-2", "verified_at": "2026-11-01T10:00:00Z" if verified else None}
    return {
        "bank_verified": verified,
        "active_account_id": "BA-2",
        "bank_accounts": [{**account, "verification_method": method}],
    }


@pytest.mark.parametrize(
    ("method", "verified"),
    [
        ("call-back to the number on file", True),
        ("Rückruf unter der hinterlegten Nummer, Konto bestätigt", True),
        ("verified by e-mail reply", False),
        ("supplier confirmed the new IBAN by mail", False),
    ],
)
def test_only_a_call_back_verifies(method: str, verified: bool) -> None:
    assert verified_by_call_back(vendor(method)) is verified


def test_an_unverified_account_and_an_unreadable_method() -> None:
    assert verified_by_call_back(vendor(None, verified=False)) is False
    assert verified_by_call_back(vendor(None)) is None
