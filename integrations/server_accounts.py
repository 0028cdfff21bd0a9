"""The B2B accounts MCP server: the sales CRM the at-risk account mission reads and writes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import accounts
from ai_missions.integrations.serving import IdempotencyKey, Reason, SystemServer, main, open_system, tool

AccountId = Annotated[str, Field(min_length=1, max_length=64, description="Account id, e.g. ACC-10001")]
ContactId = Annotated[str, Field(min_length=1, max_length=64, description="Contact id, e.g. CT-100011")]
OwnerId = Annotated[str, Field(min_length=1, max_length=64, description="Owner id (the owner's account name)")]
OpportunityId = Annotated[str, Field(min_length=1, max_length=64, description="Opportunity id, e.g. OP-100011")]
Subject = Annotated[str, Field(min_length=1, max_length=200, description="Email subject")]
Body = Annotated[str, Field(min_length=1, max_length=5000, description="Email or note text")]
Author = Annotated[str, Field(min_length=1, max_length=64, description="Who writes the note")]
After = Annotated[str, Field(max_length=64, description="Return accounts after this id ('' for the first page)")]
Limit = Annotated[int, Field(strict=True, ge=1, le=2000, description="Accounts per page")]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The accounts server over the book under ``home``."""
    server, db = open_system("accounts", home, **settings)

    @tool(server)
    def get_account(account_id: AccountId) -> accounts.Account:
        """Unknown ids are `not_found`."""
        return accounts.get_account(db, account_id)

    @tool(server)
    def get_account_context(account_id: AccountId) -> accounts.AccountContext:
        """The account, owner, manager and every record of the last 84 days; a part that fails is null under
        `missing`."""
        return accounts.get_account_context(db, account_id)

    @tool(server)
    def list_account_signals(after: After = "", limit: Limit = 500) -> accounts.SignalsPage:
        """Page through the book by account id; `next_after` is null on the last page."""
        return accounts.list_account_signals(db, after, limit)

    @tool(server)
    def list_owners() -> accounts.OwnersList:
        """Every owner, active or not."""
        return accounts.list_owners(db)

    @tool(server)
    def send_account_email(
        account_id: AccountId, contact_id: ContactId, subject: Subject, body: Body, idempotency_key: IdempotencyKey
    ) -> accounts.EmailResult:
        """Reaches the customer: sent once per idempotency key."""
        return accounts.send_account_email(db, account_id, contact_id, subject, body, idempotency_key)

    @tool(server)
    def escalate_renewal(
        opportunity_id: OpportunityId, account_id: AccountId, reason: Reason, idempotency_key: IdempotencyKey
    ) -> accounts.RenewalEscalation:
        """Only an open renewal of this account."""
        return accounts.escalate_renewal(db, opportunity_id, account_id, reason, idempotency_key)

    @tool(server)
    def reassign_account_owner(
        account_id: AccountId, new_owner_id: OwnerId, reason: Reason, idempotency_key: IdempotencyKey
    ) -> accounts.OwnerChange:
        """Never to an owner who left."""
        return accounts.reassign_account_owner(db, account_id, new_owner_id, reason, idempotency_key)

    @tool(server)
    def add_health_note(
        account_id: AccountId, body: Body, author: Author, idempotency_key: IdempotencyKey
    ) -> accounts.NoteResult:
        """Internal only."""
        return accounts.add_health_note(db, account_id, body, author, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="accounts"))
