"""The customer CRM: customers, address history, notes, support cases and messages."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "crm",
    "CRM (customers)",
    (
        read("crm", "get_customer", "A customer: tenure, tier, lifetime value, contact preferences."),
        read("crm", "find_customers", "Customers by e-mail or current postal code (to recognise who wrote)."),
        read("crm", "get_address_history", "A customer's addresses with the dates they were used from."),
        read("crm", "list_notes", "Notes on a customer."),
        read("crm", "list_cases", "Support cases of a customer."),
        read("crm", "list_messages", "Messages to and from a customer."),
        read("crm", "get_customer_context", "A customer, address history, cases, messages and notes, in one read."),
        write("crm", "add_note", "Add a note to a customer."),
        write(
            "crm",
            "send_customer_message",
            "Send a message to a customer (it reaches them).",
            reaches_outside=True,
        ),
        write(
            "crm",
            "update_customer_address",
            "Change the address on a customer's account (the default for future orders); the old one stays in the "
            "history.",
        ),
        write_lookup("crm"),
    ),
)
