"""Helpdesk: support tickets from customers (portal and e-mail), their messages in and out, statuses, tags and
SLA due times."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "helpdesk",
    "Helpdesk",
    (
        read("helpdesk", "get_ticket", "A ticket with its requester, messages, status, tags and SLA due time."),
        read("helpdesk", "list_open_tickets", "Tickets waiting for the support team (new or open), oldest first."),
        read("helpdesk", "list_customer_tickets", "A customer's tickets with their messages, newest first."),
        read(
            "helpdesk", "read_ticket_events", "The ticket event feed (opened, replied, status changes) after a cursor."
        ),
        write("helpdesk", "open_ticket", "Open a ticket with the customer's first message (portal or e-mail)."),
        write(
            "helpdesk",
            "add_customer_message",
            "The customer writes again on their ticket (an answer to a question); it opens again for the team.",
        ),
        write(
            "helpdesk",
            "send_ticket_reply",
            "Send a reply to the customer on a ticket and set its status (solved closes it).",
            reaches_outside=True,
        ),
        write("helpdesk", "add_ticket_note", "Add an internal note to a ticket (the customer does not see it)."),
        write_lookup("helpdesk"),
    ),
)
