"""The CRM's MCP server: customers, address history, notes, cases and messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from ai_missions.integrations import crm
from ai_missions.integrations.addresses import Address
from ai_missions.integrations.serving import CustomerId, IdempotencyKey, SystemServer, main, open_system, tool

Text = Annotated[str, Field(min_length=1, max_length=4000)]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The CRM server over the book under ``home``."""
    server, db = open_system("crm", home, **settings)

    @tool(server)
    def get_customer(customer_id: CustomerId) -> crm.Customer:
        """Tier and VIP flag, tenure in years since the first order, lifetime value, past fraud flags, open cases,
        current address, days since the last address change and contact preferences."""
        return crm.get_customer(db, customer_id)

    @tool(server)
    def find_customers(
        emails: Annotated[list[Annotated[str, Field(max_length=254)]] | None, Field(max_length=5)] = None,
        postal_codes: Annotated[list[Annotated[str, Field(max_length=16)]] | None, Field(max_length=5)] = None,
    ) -> crm.CustomerMatches:
        """Customers with one of these e-mails, or whose current address has one of these postal codes (at most
        50): to recognise a customer who writes from another address by what they give."""
        return crm.find_customers(db, emails or [], postal_codes or [])

    @tool(server)
    def get_address_history(customer_id: CustomerId) -> crm.AddressHistory:
        """Newest first; each address has `since`/`until` dates and a fingerprint comparable with an order's
        ship-to fingerprint."""
        return crm.get_address_history(db, customer_id)

    @tool(server)
    def list_notes(customer_id: CustomerId) -> crm.NoteList:
        """Newest first."""
        return crm.list_notes(db, customer_id)

    @tool(server)
    def list_cases(customer_id: CustomerId) -> crm.CaseList:
        """Newest first, with the number still open."""
        return crm.list_cases(db, customer_id)

    @tool(server)
    def list_messages(customer_id: CustomerId) -> crm.MessageList:
        """Inbound and outbound, newest first."""
        return crm.list_messages(db, customer_id)

    @tool(server)
    def get_customer_context(customer_id: CustomerId) -> crm.CustomerContext:
        """`get_customer`, `get_address_history`, `list_cases` and `list_messages` in one call; a part that cannot
        be read is null, with the reason under `missing`."""
        return crm.get_customer_context(db, customer_id)

    @tool(server)
    def add_note(
        customer_id: CustomerId,
        body: Text,
        idempotency_key: IdempotencyKey,
        author: Annotated[str, Field(min_length=1, max_length=100)] = "ai-missions",
        order_id: Annotated[str | None, Field(description="The order the note is about, if any")] = None,
    ) -> crm.NoteResult:
        """An internal note; the customer does not see it."""
        return crm.add_note(db, customer_id, body, idempotency_key, author, order_id)

    @tool(server)
    def send_customer_message(
        customer_id: CustomerId,
        channel: Literal["email", "sms", "phone"],
        subject: Annotated[str, Field(min_length=1, max_length=200)],
        body: Text,
        idempotency_key: IdempotencyKey,
        order_id: Annotated[str | None, Field(description="The order the message is about, if any")] = None,
    ) -> crm.MessageResult:
        """Reaches the customer (cannot be taken back); refused on a channel they do not allow."""
        return crm.send_customer_message(db, customer_id, channel, subject, body, idempotency_key, order_id)

    @tool(server)
    def update_customer_address(
        customer_id: CustomerId, address: Address, idempotency_key: IdempotencyKey
    ) -> crm.CustomerAddressResult:
        """Make the address the account's current one (the default for future orders); the one in use stays in
        the history, ended now. Refused when it is already the address in use. Orders keep their own ship-to."""
        return crm.update_customer_address(db, customer_id, address, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="crm"))
