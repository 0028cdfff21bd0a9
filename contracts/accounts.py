"""The B2B account system (a sales CRM): accounts, owners and teams, contacts, activities, support cases,
opportunities with renewal dates, daily usage and health notes. Distinct from the consumer ``crm`` of the order
mission: this one holds the company's business customers and who owns each of them."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "accounts",
    "B2B accounts (sales CRM)",
    (
        read("accounts", "get_account", "One account: name, tier, annual contract value, owner."),
        read(
            "accounts",
            "get_account_context",
            "Everything about one account in one read: owner and manager, contacts, recent activities, support "
            "cases, opportunities, the daily usage series and health notes.",
        ),
        read(
            "accounts",
            "list_account_signals",
            "A page of the whole book as compact signals per account (usage averages, escalations, renewal, last "
            "contact, owner status): the cheap read a morning scan scores every account from.",
        ),
        read("accounts", "list_owners", "Account owners with their team, manager and status (active, away, left)."),
        write(
            "accounts",
            "send_account_email",
            "Send an email to a contact of the account on the owner's behalf.",
            irreversible=True,
            reaches_outside=True,
        ),
        write("accounts", "escalate_renewal", "Escalate a renewal opportunity to the sales leadership's save desk."),
        write("accounts", "reassign_account_owner", "Give the account a new owner."),
        write("accounts", "add_health_note", "Add an internal health note to the account."),
        write_lookup("accounts"),
    ),
)
