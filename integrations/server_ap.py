"""The accounts-payable MCP server: vendors, invoices, holds, notes, vendor requests, bank verification, payments,
the approval queue and the invoice event feed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from ai_missions.integrations import ap
from ai_missions.integrations.serving import Amount, IdempotencyKey, Reason, SystemServer, main, open_system, tool

InvoiceId = Annotated[str, Field(min_length=1, max_length=64, description="Invoice id, e.g. INV-100123")]
VendorId = Annotated[str, Field(min_length=1, max_length=64, description="Vendor id, e.g. V-1001")]
AccountId = Annotated[str, Field(min_length=1, max_length=64, description="Bank account id, e.g. BA-00123")]
WindowDays = Annotated[int, Field(strict=True, ge=1, le=366, description="Days either side of the invoice date")]
Text = Annotated[str, Field(min_length=1, max_length=2000, description="Plain text, kept in the record")]
Person = Annotated[str, Field(min_length=1, max_length=100)]


def build(home: Path | None = None, **settings: Any) -> SystemServer:
    """The AP server over the book under ``home``."""
    server, db = open_system("ap", home, **settings)

    @tool(server)
    def get_invoice(invoice_id: InvoiceId) -> ap.Invoice:
        """Lines (with the PO line each bills), totals, status, the blocks AP's matching set on arrival, holds,
        notes, payments, the open amount, days to due and the early-payment discount if settled in full today."""
        return ap.get_invoice(db, invoice_id)

    @tool(server)
    def get_vendor(vendor_id: VendorId) -> ap.Vendor:
        """Terms, tax rate, category, bank accounts oldest first (a newer active account is a bank change; it is
        verified only by a call-back), open verifications and messages (inbound text is the vendor's own)."""
        return ap.get_vendor(db, vendor_id)

    @tool(server)
    def find_similar_invoices(
        invoice_id: InvoiceId, window_days: WindowDays = ap.DEFAULT_WINDOW_DAYS
    ) -> ap.SimilarInvoices:
        """Same-vendor invoices with the same number (normalized: case, spaces, dashes, leading zeros ignored),
        the same amount, or dated within the window."""
        return ap.find_similar_invoices(db, invoice_id, window_days)

    @tool(server)
    def get_invoice_context(
        invoice_id: InvoiceId, window_days: WindowDays = ap.DEFAULT_WINDOW_DAYS
    ) -> ap.InvoiceContext:
        """`get_invoice`, `get_vendor` and `find_similar_invoices` in one call; a part that cannot be read is
        null, with the reason under `missing`."""
        return ap.get_invoice_context(db, invoice_id, window_days)

    @tool(server)
    def list_invoices_awaiting_approval() -> ap.ApprovalQueue:
        """Oldest first; `block_reasons` are what AP's automatic matching flagged when the invoice arrived."""
        return ap.list_invoices_awaiting_approval(db)

    @tool(server)
    def read_invoice_events(
        after_id: Annotated[int, Field(strict=True, ge=0)] = 0,
        limit: Annotated[int, Field(strict=True, ge=1, le=5000)] = 500,
    ) -> ap.InvoiceEvents:
        """Status changes after a cursor, oldest first; pass `next_after_id` back to continue."""
        return ap.read_invoice_events(db, after_id, limit)

    @tool(server)
    def place_invoice_hold(invoice_id: InvoiceId, reason: Reason, idempotency_key: IdempotencyKey) -> ap.InvoiceResult:
        """No payment while it is active; refused on a paid, scheduled or rejected invoice or one already held."""
        return ap.place_invoice_hold(db, invoice_id, reason, idempotency_key)

    @tool(server)
    def release_invoice_hold(invoice_id: InvoiceId, idempotency_key: IdempotencyKey) -> ap.InvoiceResult:
        """The invoice returns to the status it had before the hold."""
        return ap.release_invoice_hold(db, invoice_id, idempotency_key)

    @tool(server)
    def add_invoice_note(
        invoice_id: InvoiceId, body: Text, idempotency_key: IdempotencyKey, author: Person = "mission"
    ) -> ap.NoteResult:
        """Internal: nobody outside AP sees it."""
        return ap.add_invoice_note(db, invoice_id, body, idempotency_key, author)

    @tool(server)
    def request_vendor_confirmation(
        invoice_id: InvoiceId, topic: ap.VendorTopic, message: Text, idempotency_key: IdempotencyKey
    ) -> ap.MessageResult:
        """Sent to the vendor's contact on file (never to an address taken from the invoice)."""
        return ap.request_vendor_confirmation(db, invoice_id, topic, message, idempotency_key)

    @tool(server)
    def request_bank_verification(
        vendor_id: VendorId, account_id: AccountId, invoice_id: InvoiceId, idempotency_key: IdempotencyKey
    ) -> ap.VerificationResult:
        """Treasury calls the vendor back on the number on file; an open request for the account is returned."""
        return ap.request_bank_verification(db, vendor_id, account_id, invoice_id, idempotency_key)

    @tool(server)
    def verify_vendor_bank_account(
        vendor_id: VendorId, account_id: AccountId, verified_by: Person, method: Text, idempotency_key: IdempotencyKey
    ) -> ap.VerificationResult:
        """Record a completed call-back; only the active, unverified account."""
        return ap.verify_vendor_bank_account(db, vendor_id, account_id, verified_by, method, idempotency_key)

    @tool(server)
    def reject_invoice(invoice_id: InvoiceId, reason: Reason, idempotency_key: IdempotencyKey) -> ap.InvoiceResult:
        """Refused once money was paid or scheduled on it."""
        return ap.reject_invoice(db, invoice_id, reason, idempotency_key)

    @tool(server)
    def post_payment(invoice_id: InvoiceId, amount: Amount, idempotency_key: IdempotencyKey) -> ap.PaymentResult:
        """Refused above the open amount, on a held, rejected or settled invoice, to a blocked vendor, or to a bank
        account changed and not verified since; settling in full in the discount window takes the discount."""
        return ap.post_payment(db, invoice_id, amount, idempotency_key)

    @tool(server)
    def schedule_payment(
        invoice_id: InvoiceId,
        amount: Amount,
        pay_date: Annotated[str, Field(min_length=10, max_length=20, description="YYYY-MM-DD")],
        idempotency_key: IdempotencyKey,
    ) -> ap.PaymentResult:
        """The same controls as `post_payment`; the date from today up to 120 days ahead."""
        return ap.schedule_payment(db, invoice_id, amount, pay_date, idempotency_key)

    return server


if __name__ == "__main__":
    sys.exit(main(system="ap"))
