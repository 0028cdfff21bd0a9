"""The SQLite schema of each simulated system. Money is stored in integer cents, times as ISO-8601 UTC text.

Every system database also carries ``meta`` (book clock, seed), ``sequences`` (ids for new records) and
``idempotency`` (recorded write results), so each system stands alone like a real one.
"""

from __future__ import annotations

COMMON = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sequences (prefix TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY, tool TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
"""

ERP = """
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL,
    placed_at TEXT NOT NULL, updated_at TEXT NOT NULL, currency TEXT NOT NULL,
    subtotal_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    ship_name TEXT NOT NULL, ship_line1 TEXT NOT NULL, ship_line2 TEXT, ship_city TEXT NOT NULL,
    ship_region TEXT NOT NULL, ship_postal_code TEXT NOT NULL, ship_country TEXT NOT NULL,
    fulfillment_method TEXT NOT NULL DEFAULT 'ship' CHECK (fulfillment_method IN ('ship', 'pickup')),
    pickup_location_id TEXT
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_status ON orders (status);
CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    description TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
) STRICT;
CREATE TABLE order_holds (
    hold_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'released')), previous_status TEXT NOT NULL,
    placed_at TEXT NOT NULL, released_at TEXT
) STRICT;
CREATE INDEX order_holds_order ON order_holds (order_id);
CREATE TABLE order_events (
    event_id INTEGER PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), type TEXT NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, at TEXT NOT NULL, reason TEXT
) STRICT;
CREATE INDEX order_events_order ON order_events (order_id, event_id);
CREATE TABLE variants (
    sku TEXT PRIMARY KEY, product_id TEXT NOT NULL, option TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0), available INTEGER NOT NULL CHECK (available >= 0)
) STRICT;
CREATE INDEX variants_product ON variants (product_id);
CREATE TABLE order_returns (
    return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), created_at TEXT NOT NULL,
    received_at TEXT, condition TEXT CHECK (condition IN ('as_new', 'opened', 'damaged')),
    refund_to TEXT CHECK (refund_to IN ('original_payment', 'gift_card'))
) STRICT;
CREATE INDEX order_returns_order ON order_returns (order_id);
CREATE TABLE return_lines (
    return_id TEXT NOT NULL REFERENCES order_returns (return_id), line_no INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), PRIMARY KEY (return_id, line_no)
) STRICT;
CREATE TABLE order_exchanges (
    exchange_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL,
    from_sku TEXT NOT NULL, to_sku TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0), at TEXT NOT NULL
) STRICT;
"""

CRM = """
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'silver', 'gold', 'vip')),
    customer_since TEXT NOT NULL, first_order_at TEXT, lifetime_value_cents INTEGER NOT NULL,
    order_count INTEGER NOT NULL, fraud_flags INTEGER NOT NULL,
    preferred_channel TEXT NOT NULL, allowed_channels TEXT NOT NULL, language TEXT NOT NULL,
    marketing_opt_in INTEGER NOT NULL
) STRICT;
CREATE TABLE addresses (
    address_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    name TEXT NOT NULL, line1 TEXT NOT NULL, line2 TEXT, city TEXT NOT NULL, region TEXT NOT NULL,
    postal_code TEXT NOT NULL, country TEXT NOT NULL, since TEXT NOT NULL, until TEXT
) STRICT;
CREATE INDEX addresses_customer ON addresses (customer_id, since);
CREATE TABLE notes (
    note_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    author TEXT NOT NULL, body TEXT NOT NULL, order_id TEXT, created_at TEXT NOT NULL
) STRICT;
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE TABLE cases (
    case_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    subject TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')), priority TEXT NOT NULL,
    order_id TEXT, opened_at TEXT NOT NULL, closed_at TEXT
) STRICT;
CREATE INDEX cases_customer ON cases (customer_id, opened_at);
CREATE TABLE messages (
    message_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')), channel TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, order_id TEXT, at TEXT NOT NULL
) STRICT;
CREATE INDEX messages_customer ON messages (customer_id, at);
"""

INVENTORY = """
CREATE TABLE locations (
    location_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL
) STRICT;
CREATE TABLE products (
    sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, unit_price_cents INTEGER NOT NULL
) STRICT;
CREATE TABLE stock (
    sku TEXT NOT NULL REFERENCES products (sku), location_id TEXT NOT NULL REFERENCES locations (location_id),
    on_hand INTEGER NOT NULL CHECK (on_hand >= 0), updated_at TEXT NOT NULL,
    PRIMARY KEY (sku, location_id)
) STRICT;
CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, line_no INTEGER NOT NULL,
    sku TEXT NOT NULL REFERENCES products (sku), location_id TEXT NOT NULL REFERENCES locations (location_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'released', 'fulfilled')),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX reservations_order ON reservations (order_id);
CREATE INDEX reservations_stock ON reservations (sku, location_id, status);
CREATE TABLE cycle_counts (
    count_id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES products (sku),
    location_id TEXT NOT NULL REFERENCES locations (location_id), counted_qty INTEGER NOT NULL,
    system_qty INTEGER NOT NULL, counted_at TEXT NOT NULL, counted_by TEXT NOT NULL
) STRICT;
CREATE INDEX cycle_counts_stock ON cycle_counts (sku, location_id, counted_at);
CREATE TABLE stock_adjustments (
    adjustment_id TEXT PRIMARY KEY, sku TEXT NOT NULL, location_id TEXT NOT NULL, from_qty INTEGER NOT NULL,
    to_qty INTEGER NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE TABLE restocks (
    restock_id TEXT PRIMARY KEY, sku TEXT NOT NULL REFERENCES products (sku),
    location_id TEXT NOT NULL REFERENCES locations (location_id), quantity INTEGER NOT NULL CHECK (quantity > 0),
    expected_at TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
    reference TEXT NOT NULL DEFAULT ''
) STRICT;
"""

PAYMENTS = """
CREATE TABLE authorizations (
    authorization_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('authorized', 'captured', 'voided')),
    card_brand TEXT NOT NULL, card_last4 TEXT NOT NULL, authorized_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    voided_at TEXT
) STRICT;
CREATE INDEX authorizations_order ON authorizations (order_id);
CREATE TABLE captures (
    capture_id TEXT PRIMARY KEY, authorization_id TEXT NOT NULL REFERENCES authorizations (authorization_id),
    order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), captured_at TEXT NOT NULL
) STRICT;
CREATE INDEX captures_order ON captures (order_id);
CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY, capture_id TEXT NOT NULL REFERENCES captures (capture_id), order_id TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), reason TEXT NOT NULL, refunded_at TEXT NOT NULL
) STRICT;
CREATE INDEX refunds_order ON refunds (order_id);
CREATE TABLE fraud_assessments (
    order_id TEXT PRIMARY KEY, score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100), reasons TEXT NOT NULL,
    assessed_at TEXT NOT NULL, model TEXT NOT NULL
) STRICT;
CREATE TABLE payment_holds (
    hold_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'released')), placed_at TEXT NOT NULL, released_at TEXT
) STRICT;
CREATE INDEX payment_holds_order ON payment_holds (order_id);
CREATE TABLE payment_methods (
    payment_method_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('card', 'paypal', 'gift_card')), brand TEXT, last4 TEXT,
    balance_cents INTEGER CHECK (balance_cents IS NULL OR balance_cents >= 0), added_at TEXT NOT NULL
) STRICT;
CREATE INDEX payment_methods_customer ON payment_methods (customer_id);
CREATE TABLE order_payers (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    authorization_id TEXT NOT NULL REFERENCES authorizations (authorization_id)
) STRICT;
CREATE TABLE authorization_methods (
    authorization_id TEXT PRIMARY KEY REFERENCES authorizations (authorization_id),
    payment_method_id TEXT NOT NULL REFERENCES payment_methods (payment_method_id)
) STRICT;
CREATE TABLE refund_methods (
    refund_id TEXT PRIMARY KEY REFERENCES refunds (refund_id),
    payment_method_id TEXT NOT NULL REFERENCES payment_methods (payment_method_id)
) STRICT;
"""

SHIPPING = """
CREATE TABLE order_addresses (
    order_id TEXT PRIMARY KEY, name TEXT NOT NULL, line1 TEXT NOT NULL, line2 TEXT, city TEXT NOT NULL,
    region TEXT NOT NULL, postal_code TEXT NOT NULL, country TEXT NOT NULL,
    validation_status TEXT NOT NULL CHECK (validation_status IN ('valid', 'corrected', 'undeliverable')),
    issues TEXT NOT NULL, suggestion TEXT, validated_at TEXT NOT NULL, corrected_from TEXT
) STRICT;
CREATE TABLE shipments (
    shipment_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, carrier TEXT NOT NULL, service TEXT NOT NULL,
    tracking_number TEXT NOT NULL, status TEXT NOT NULL, from_location TEXT NOT NULL, shipped_at TEXT NOT NULL,
    delivered_at TEXT
) STRICT;
CREATE INDEX shipments_order ON shipments (order_id);
CREATE TABLE tracking_events (
    shipment_id TEXT NOT NULL REFERENCES shipments (shipment_id), seq INTEGER NOT NULL, at TEXT NOT NULL,
    status TEXT NOT NULL, location TEXT NOT NULL, PRIMARY KEY (shipment_id, seq)
) STRICT;
"""

# --- the accounts-payable book: AP, purchasing, receiving and budget control ------------------------------------

AP = """
CREATE TABLE vendors (
    vendor_id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, currency TEXT NOT NULL,
    category TEXT NOT NULL, tax_rate_bp INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 3000),
    payment_terms_days INTEGER NOT NULL CHECK (payment_terms_days BETWEEN 0 AND 180),
    discount_bp INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 1000),
    discount_days INTEGER NOT NULL CHECK (discount_days >= 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'blocked')), vendor_since TEXT NOT NULL,
    contact_email TEXT NOT NULL
) STRICT;
CREATE TABLE vendor_bank_accounts (
    account_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL REFERENCES vendors (vendor_id), bank_name TEXT NOT NULL,
    iban_last4 TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('active', 'superseded')),
    added_at TEXT NOT NULL, changed_by TEXT NOT NULL, verified_at TEXT, verified_by TEXT, verification_method TEXT
) STRICT;
CREATE INDEX vendor_bank_accounts_vendor ON vendor_bank_accounts (vendor_id, added_at);
CREATE TABLE invoices (
    invoice_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL REFERENCES vendors (vendor_id),
    vendor_invoice_number TEXT NOT NULL, po_id TEXT, cost_centre TEXT NOT NULL, invoice_date TEXT NOT NULL,
    received_at TEXT NOT NULL, due_date TEXT NOT NULL, currency TEXT NOT NULL,
    subtotal_cents INTEGER NOT NULL CHECK (subtotal_cents > 0), tax_cents INTEGER NOT NULL CHECK (tax_cents >= 0),
    total_cents INTEGER NOT NULL CHECK (total_cents > 0),
    status TEXT NOT NULL
        CHECK (status IN ('awaiting_approval', 'on_hold', 'rejected', 'partially_paid', 'scheduled', 'paid')),
    block_reasons TEXT NOT NULL, description TEXT NOT NULL
) STRICT;
CREATE INDEX invoices_vendor ON invoices (vendor_id, invoice_date);
CREATE INDEX invoices_status ON invoices (status);
CREATE TABLE invoice_lines (
    invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id), line_no INTEGER NOT NULL, po_line_no INTEGER,
    sku TEXT NOT NULL, description TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
    PRIMARY KEY (invoice_id, line_no)
) STRICT;
CREATE TABLE invoice_holds (
    hold_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id), reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'released')), previous_status TEXT NOT NULL,
    placed_at TEXT NOT NULL, released_at TEXT
) STRICT;
CREATE INDEX invoice_holds_invoice ON invoice_holds (invoice_id);
CREATE TABLE invoice_notes (
    note_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id), author TEXT NOT NULL,
    body TEXT NOT NULL, created_at TEXT NOT NULL
) STRICT;
CREATE INDEX invoice_notes_invoice ON invoice_notes (invoice_id);
CREATE TABLE vendor_messages (
    message_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL REFERENCES vendors (vendor_id), invoice_id TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')), topic TEXT NOT NULL,
    body TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE INDEX vendor_messages_vendor ON vendor_messages (vendor_id, sent_at);
CREATE TABLE bank_verifications (
    verification_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL REFERENCES vendors (vendor_id),
    account_id TEXT NOT NULL REFERENCES vendor_bank_accounts (account_id), invoice_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'verified')), opened_at TEXT NOT NULL, closed_at TEXT
) STRICT;
CREATE INDEX bank_verifications_account ON bank_verifications (account_id);
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id),
    vendor_id TEXT NOT NULL, account_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    discount_cents INTEGER NOT NULL CHECK (discount_cents >= 0), currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('posted', 'scheduled')), pay_date TEXT NOT NULL, created_at TEXT NOT NULL
) STRICT;
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE TABLE invoice_events (
    event_id INTEGER PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices (invoice_id), type TEXT NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, at TEXT NOT NULL, reason TEXT
) STRICT;
CREATE INDEX invoice_events_invoice ON invoice_events (invoice_id, event_id);
"""

PURCHASING = """
CREATE TABLE purchase_orders (
    po_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL, buyer TEXT NOT NULL, cost_centre TEXT NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX purchase_orders_vendor ON purchase_orders (vendor_id, created_at);
CREATE TABLE po_lines (
    po_id TEXT NOT NULL REFERENCES purchase_orders (po_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    description TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')), expected_at TEXT NOT NULL,
    PRIMARY KEY (po_id, line_no)
) STRICT;
CREATE TABLE po_approvals (
    po_id TEXT NOT NULL REFERENCES purchase_orders (po_id), approver TEXT NOT NULL, role TEXT NOT NULL,
    approved_at TEXT NOT NULL, PRIMARY KEY (po_id, approver)
) STRICT;
CREATE TABLE buyer_requests (
    request_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL, po_id TEXT, buyer TEXT NOT NULL, topic TEXT NOT NULL,
    message TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'answered')), sent_at TEXT NOT NULL
) STRICT;
CREATE INDEX buyer_requests_invoice ON buyer_requests (invoice_id);
"""

RECEIVING = """
CREATE TABLE goods_receipts (
    receipt_id TEXT PRIMARY KEY, po_id TEXT NOT NULL, received_at TEXT NOT NULL, location TEXT NOT NULL,
    received_by TEXT NOT NULL
) STRICT;
CREATE INDEX goods_receipts_po ON goods_receipts (po_id, received_at);
CREATE TABLE receipt_lines (
    receipt_id TEXT NOT NULL REFERENCES goods_receipts (receipt_id), po_id TEXT NOT NULL,
    po_line_no INTEGER NOT NULL, quantity_received INTEGER NOT NULL CHECK (quantity_received >= 0),
    quantity_rejected INTEGER NOT NULL CHECK (quantity_rejected >= 0),
    PRIMARY KEY (receipt_id, po_line_no)
) STRICT;
CREATE INDEX receipt_lines_po ON receipt_lines (po_id);
"""

BUDGET = """
CREATE TABLE cost_centres (
    cost_centre TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, fiscal_year INTEGER NOT NULL,
    budget_cents INTEGER NOT NULL CHECK (budget_cents > 0), spent_cents INTEGER NOT NULL CHECK (spent_cents >= 0)
) STRICT;
CREATE TABLE budget_commitments (
    commitment_id TEXT PRIMARY KEY, cost_centre TEXT NOT NULL REFERENCES cost_centres (cost_centre),
    invoice_id TEXT NOT NULL, amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), committed_at TEXT NOT NULL
) STRICT;
CREATE INDEX budget_commitments_centre ON budget_commitments (cost_centre);
"""

OMS = """
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'gold', 'vip'))
) STRICT;
CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'app', 'store')),
    fulfilment TEXT NOT NULL CHECK (fulfilment IN ('ship', 'pickup')), pickup_store TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled', 'fulfilled')),
    placed_at TEXT NOT NULL, promised_at TEXT NOT NULL, total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    promo_id TEXT, flags TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
) STRICT;
CREATE TABLE allocations (
    order_id TEXT NOT NULL REFERENCES orders (order_id), location_id TEXT NOT NULL, previous_location_id TEXT,
    changed_at TEXT NOT NULL, PRIMARY KEY (order_id)
) STRICT;
CREATE TABLE returns (
    return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, channel TEXT NOT NULL, sku TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0), refund_cents INTEGER NOT NULL CHECK (refund_cents >= 0),
    location_id TEXT NOT NULL, processed_at TEXT NOT NULL, posted INTEGER NOT NULL CHECK (posted IN (0, 1)),
    posted_at TEXT
) STRICT;
CREATE INDEX returns_order ON returns (order_id);
CREATE TABLE notices (
    notice_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), topic TEXT NOT NULL,
    message TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE credits (
    credit_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), reason TEXT NOT NULL, issued_at TEXT NOT NULL
) STRICT;
CREATE TABLE order_notes (
    note_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders (order_id), body TEXT NOT NULL,
    added_at TEXT NOT NULL
) STRICT;
CREATE TABLE substitutions (
    order_id TEXT PRIMARY KEY REFERENCES orders (order_id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    substitute_sku TEXT NOT NULL, location_id TEXT NOT NULL,
    original_unit_cents INTEGER NOT NULL CHECK (original_unit_cents >= 0),
    substitute_unit_cents INTEGER NOT NULL CHECK (substitute_unit_cents >= 0),
    charged_unit_cents INTEGER NOT NULL CHECK (charged_unit_cents >= 0),
    status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined')), offered_at TEXT NOT NULL
) STRICT;
"""

STORES = """
CREATE TABLE locations (
    location_id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('store', 'dc')), name TEXT NOT NULL,
    region TEXT NOT NULL
) STRICT;
CREATE TABLE stock (
    location_id TEXT NOT NULL REFERENCES locations (location_id), sku TEXT NOT NULL,
    on_hand INTEGER NOT NULL CHECK (on_hand >= 0), counted_qty INTEGER NOT NULL CHECK (counted_qty >= 0),
    counted_at TEXT NOT NULL, sold_since_count INTEGER NOT NULL CHECK (sold_since_count >= 0),
    quarantined INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1)),
    PRIMARY KEY (location_id, sku)
) STRICT;
CREATE TABLE inbound_shipments (
    shipment_id TEXT PRIMARY KEY, sku TEXT NOT NULL, location_id TEXT NOT NULL REFERENCES locations (location_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0), original_eta TEXT NOT NULL, eta TEXT NOT NULL
) STRICT;
CREATE TABLE promotions (
    promo_id TEXT PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL
) STRICT;
CREATE TABLE recount_tasks (
    task_id TEXT PRIMARY KEY, location_id TEXT NOT NULL REFERENCES locations (location_id), sku TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled', 'done')), created_at TEXT NOT NULL
) STRICT;
CREATE TABLE merch_notices (
    notice_id TEXT PRIMARY KEY, promo_id TEXT NOT NULL REFERENCES promotions (promo_id), message TEXT NOT NULL,
    sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE substitutes (
    sku TEXT NOT NULL, substitute_sku TEXT NOT NULL, family TEXT NOT NULL,
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0), PRIMARY KEY (sku, substitute_sku)
) STRICT;
"""

HELPDESK = """
CREATE TABLE requesters (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, language TEXT NOT NULL
) STRICT;
CREATE TABLE tickets (
    ticket_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES requesters (customer_id),
    channel TEXT NOT NULL CHECK (channel IN ('portal', 'email')), subject TEXT NOT NULL, order_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')), tags TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sla_due_at TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE TABLE ticket_messages (
    message_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'note')), author TEXT NOT NULL,
    body TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, sent_at);
CREATE TABLE ticket_events (
    event_id INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id), type TEXT NOT NULL,
    status TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, event_id);
"""

ACCOUNTS = """
CREATE TABLE owners (
    owner_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, team TEXT NOT NULL,
    manager_id TEXT, status TEXT NOT NULL CHECK (status IN ('active', 'away', 'left'))
) STRICT;
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL CHECK (tier IN ('tier1', 'tier2', 'tier3')),
    arr_cents INTEGER NOT NULL, owner_id TEXT NOT NULL, industry TEXT NOT NULL, customer_since TEXT NOT NULL
) STRICT;
CREATE INDEX accounts_owner ON accounts (owner_id);
CREATE TABLE contacts (
    contact_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), name TEXT NOT NULL,
    email TEXT NOT NULL, title TEXT NOT NULL, is_primary INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_account ON contacts (account_id);
CREATE TABLE activities (
    activity_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), kind TEXT NOT NULL,
    at TEXT NOT NULL, summary TEXT NOT NULL, meaningful INTEGER NOT NULL
) STRICT;
CREATE INDEX activities_account ON activities (account_id, at);
CREATE TABLE support_cases (
    case_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), subject TEXT NOT NULL,
    priority TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')), escalated INTEGER NOT NULL,
    opened_at TEXT NOT NULL, escalated_at TEXT, closed_at TEXT
) STRICT;
CREATE INDEX support_cases_account ON support_cases (account_id, opened_at);
CREATE TABLE opportunities (
    opportunity_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id),
    kind TEXT NOT NULL CHECK (kind IN ('renewal', 'expansion')), stage TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    close_date TEXT NOT NULL, escalated INTEGER NOT NULL DEFAULT 0, escalation_reason TEXT
) STRICT;
CREATE INDEX opportunities_account ON opportunities (account_id);
CREATE TABLE usage_daily (
    account_id TEXT NOT NULL REFERENCES accounts (account_id), day TEXT NOT NULL, active_users INTEGER,
    PRIMARY KEY (account_id, day)
) STRICT;
CREATE TABLE health_notes (
    note_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (account_id), author TEXT NOT NULL,
    body TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE INDEX health_notes_account ON health_notes (account_id, at);
CREATE TABLE sent_emails (
    email_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, contact_id TEXT NOT NULL, subject TEXT NOT NULL,
    body TEXT NOT NULL, sent_at TEXT NOT NULL
) STRICT;
CREATE TABLE owner_changes (
    change_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, from_owner TEXT NOT NULL, to_owner TEXT NOT NULL,
    reason TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE TABLE account_outcomes (
    account_id TEXT PRIMARY KEY, outcome TEXT NOT NULL CHECK (outcome IN ('renewed', 'churned')), at TEXT NOT NULL
) STRICT;
"""
