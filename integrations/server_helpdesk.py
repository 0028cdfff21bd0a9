"""The helpdesk's MCP server: tickets, their messages in and out, statuses, tags and SLA due times."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from ai_missions.integrations import helpdesk
from ai_missions.integrations.serving import CustomerId, IdempotencyKey, SystemServer, main, open_system, tool

TicketId = Annotated[str, Field(min_length=1, max_length=64, description="Ticket id, e.g. TKT-000123")]
Body = Annotated[str, Field(min_length=1, max_length=helpdesk.MAX_BODY, description="The message text")]
Limit = Annotated[int, Field(strict=True, ge=1, le=5000)]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The helpdesk server over the book under ``home``."""
    server, db = open_system("helpdesk", home, **settings)

    @tool(server)
    def get_ticket(ticket_id: TicketId) -> helpdesk.Ticket:
        """Requester, channel, the order the customer picked (if any), status, tags, SLA due time and every message
        oldest first (inbound from the customer, outbound replies, internal notes)."""
        return helpdesk.get_ticket(db, ticket_id)

    @tool(server)
    def list_open_tickets(limit: Limit = 500) -> helpdesk.TicketList:
        """Tickets in status new or open, oldest first."""
        return helpdesk.list_open_tickets(db, limit)

    @tool(server)
    def list_customer_tickets(
        customer_id: CustomerId, limit: Annotated[int, Field(strict=True, ge=1, le=500)] = 50
    ) -> helpdesk.CustomerTickets:
        """What a customer sees on the portal: their tickets with every message but internal notes' text."""
        return helpdesk.list_customer_tickets(db, customer_id, limit)

    @tool(server)
    def read_ticket_events(
        after_id: Annotated[int, Field(strict=True, ge=0, description="Cursor: the last event id already seen")] = 0,
        limit: Limit = 500,
    ) -> helpdesk.TicketEvents:
        """Ticket events (opened, replied, noted) with ids above `after_id`, oldest first."""
        return helpdesk.read_ticket_events(db, after_id, limit)

    @tool(server)
    def open_ticket(
        customer_id: CustomerId,
        channel: Literal["portal", "email"],
        subject: Annotated[str, Field(min_length=1, max_length=200)],
        body: Body,
        idempotency_key: IdempotencyKey,
        order_id: Annotated[str | None, Field(max_length=64)] = None,
        priority: Literal["low", "normal", "high", "urgent"] = "normal",
    ) -> helpdesk.TicketWriteResult:
        """A new ticket in status new; its SLA due time follows the priority."""
        return helpdesk.open_ticket(db, customer_id, channel, subject, body, idempotency_key, order_id, priority)

    @tool(server)
    def send_ticket_reply(
        ticket_id: TicketId,
        body: Body,
        status: Literal["open", "pending", "solved"],
        idempotency_key: IdempotencyKey,
        tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=10)] | None = None,
    ) -> helpdesk.TicketWriteResult:
        """The reply reaches the customer; `solved` resolves the ticket, `pending` waits for the customer.
        Refused on a closed ticket."""
        return helpdesk.send_ticket_reply(db, ticket_id, body, status, idempotency_key, tags)

    @tool(server)
    def add_customer_message(
        ticket_id: TicketId, body: Body, idempotency_key: IdempotencyKey
    ) -> helpdesk.TicketWriteResult:
        """The customer's own message on their ticket (an answer to a question): the ticket is open again for the
        team. Refused on a closed ticket."""
        return helpdesk.add_customer_message(db, ticket_id, body, idempotency_key)

    @tool(server)
    def add_ticket_note(ticket_id: TicketId, body: Body, idempotency_key: IdempotencyKey) -> helpdesk.TicketWriteResult:
        """Internal only; a new ticket becomes open."""
        return helpdesk.add_ticket_note(db, ticket_id, body, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="helpdesk"))
