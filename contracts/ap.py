"""Accounts payable: vendors (with bank accounts and their change history), invoices with lines, holds, notes,
vendor requests and payments, the queue of invoices awaiting approval and its event feed."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "ap",
    "Accounts payable",
    (
        read("ap", "get_invoice", "An invoice with lines, totals, terms, holds, notes and payments."),
        read("ap", "get_vendor", "A vendor with its bank accounts (change history, verification) and terms."),
        read("ap", "find_similar_invoices", "Same-vendor invoices close in time: same number, amount or date."),
        read("ap", "get_invoice_context", "An invoice, its vendor and the vendor's similar invoices, in one read."),
        read("ap", "list_invoices_awaiting_approval", "The approval queue, with the blocks AP's matching set."),
        read("ap", "read_invoice_events", "The invoice event feed (status changes) after a cursor."),
        write("ap", "place_invoice_hold", "Put an invoice on payment hold with a reason."),
        write("ap", "release_invoice_hold", "Release an invoice's payment hold."),
        write("ap", "add_invoice_note", "Add an internal note to an invoice."),
        write(
            "ap",
            "request_vendor_confirmation",
            "Ask the vendor for a credit note, a corrected invoice or a confirmation.",
            reaches_outside=True,
        ),
        write("ap", "request_bank_verification", "Open a call-back verification of a vendor's bank account."),
        write(
            "ap",
            "verify_vendor_bank_account",
            "Record that a vendor's bank account was verified by call-back.",
            irreversible=True,
        ),
        write("ap", "reject_invoice", "Reject an invoice and return it to the vendor.", irreversible=True),
        write(
            "ap",
            "post_payment",
            "Pay an invoice now to the vendor's verified bank account (never above its open amount).",
            amount_arg="amount",
            irreversible=True,
        ),
        write(
            "ap",
            "schedule_payment",
            "Schedule an invoice's payment for a date (never above its open amount).",
            amount_arg="amount",
            irreversible=True,
        ),
        write_lookup("ap"),
    ),
)
