"""The simulated systems: which exist, their storage schema and the tables their snapshots carry.

Each system implements its contract (:mod:`ai_missions.contracts`) with a service module (``erp.py``) and an MCP
server module (``server_erp.py``); its SQLite schema is listed here. Adding a simulated system is one entry below
plus its modules. The platform never imports this package: it spawns the servers and talks to them over MCP.
"""

from __future__ import annotations

from dataclasses import dataclass

from ai_missions.integrations import schema

#: Tables every system database carries besides its own (book clock, id sequences, idempotency records).
COMMON_TABLES: tuple[str, ...] = ("meta", "sequences", "idempotency")


@dataclass(frozen=True, slots=True)
class SimulatedSystem:
    name: str
    #: The system's own tables (DDL), without the common ones.
    ddl: str
    #: Its own tables in insertion order (parents before children).
    own_tables: tuple[str, ...]
    #: False for a system with no database of its own (a report over the others' data).
    storage: bool = True

    @property
    def schema(self) -> str:
        return schema.COMMON + self.ddl

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table, in the order exports and imports carry them."""
        return COMMON_TABLES + self.own_tables

    @property
    def server_module(self) -> str:
        return f"ai_missions.integrations.server_{self.name}"


SIMULATED: dict[str, SimulatedSystem] = {
    system.name: system
    for system in (
        SimulatedSystem(
            "erp",
            schema.ERP,
            (
                "orders",
                "order_lines",
                "order_holds",
                "order_events",
                "variants",
                "order_returns",
                "return_lines",
                "order_exchanges",
            ),
        ),
        SimulatedSystem("crm", schema.CRM, ("customers", "addresses", "notes", "cases", "messages")),
        SimulatedSystem(
            "inventory",
            schema.INVENTORY,
            ("locations", "products", "stock", "reservations", "cycle_counts", "stock_adjustments", "restocks"),
        ),
        SimulatedSystem(
            "payments",
            schema.PAYMENTS,
            ("authorizations", "captures", "refunds", "fraud_assessments", "payment_holds"),
        ),
        SimulatedSystem("shipping", schema.SHIPPING, ("order_addresses", "shipments", "tracking_events")),
        SimulatedSystem(
            "ap",
            schema.AP,
            (
                "vendors",
                "vendor_bank_accounts",
                "invoices",
                "invoice_lines",
                "invoice_holds",
                "invoice_notes",
                "vendor_messages",
                "bank_verifications",
                "payments",
                "invoice_events",
            ),
        ),
        SimulatedSystem(
            "purchasing", schema.PURCHASING, ("purchase_orders", "po_lines", "po_approvals", "buyer_requests")
        ),
        SimulatedSystem("receiving", schema.RECEIVING, ("goods_receipts", "receipt_lines")),
        SimulatedSystem("budget", schema.BUDGET, ("cost_centres", "budget_commitments")),
        SimulatedSystem(
            "oms",
            schema.OMS,
            (
                "customers",
                "orders",
                "order_lines",
                "allocations",
                "returns",
                "notices",
                "credits",
                "order_notes",
                "substitutions",
            ),
        ),
        SimulatedSystem(
            "stores",
            schema.STORES,
            (
                "locations",
                "stock",
                "inbound_shipments",
                "promotions",
                "recount_tasks",
                "merch_notices",
                "substitutes",
            ),
        ),
        SimulatedSystem("helpdesk", schema.HELPDESK, ("requesters", "tickets", "ticket_messages", "ticket_events")),
        SimulatedSystem(
            "accounts",
            schema.ACCOUNTS,
            (
                "owners",
                "accounts",
                "contacts",
                "activities",
                "support_cases",
                "opportunities",
                "usage_daily",
                "health_notes",
                "sent_emails",
                "owner_changes",
                "account_outcomes",
            ),
        ),
        # Exception monitoring: the operations reports that raise missions (reads the others' data, owns none).
        SimulatedSystem("monitor", "", (), storage=False),
    )
}

#: Every simulated system that keeps a database (what books, snapshots and sandboxes hold).
SYSTEMS: tuple[str, ...] = tuple(name for name, system in SIMULATED.items() if system.storage)
#: Every simulated system with an MCP server.
SERVED: tuple[str, ...] = tuple(SIMULATED)

#: Each system's full schema (common tables included) and its tables in insertion order.
SCHEMAS: dict[str, str] = {name: SIMULATED[name].schema for name in SYSTEMS}
TABLES: dict[str, tuple[str, ...]] = {name: SIMULATED[name].tables for name in SYSTEMS}
