"""The simulated systems: which exist, their storage schema and the tables their snapshots carry.

Each system implements its contract (:mod:`ai_missions.contracts`) with a service module (``erp.py``) and an MCP
server module (``server_erp.py``); its SQLite schema is listed here. Adding a simulated system is one entry below
plus its modules; a system from another package registers its :class:`~.plugin.SimulatedSystem` under the
``ai_missions.simulated`` entry points instead. The platform never imports this package: it loads the servers
through the ``ai_missions.systems`` entry points and talks to them over MCP.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from ai_missions.integrations import schema
from ai_missions.integrations.plugin import COMMON_TABLES, SIMULATED_GROUP, SimulatedSystem

__all__ = ["COMMON_TABLES", "SCHEMAS", "SERVED", "SIMULATED", "SYSTEMS", "TABLES", "SimulatedSystem"]

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
            (
                "authorizations",
                "captures",
                "refunds",
                "fraud_assessments",
                "payment_holds",
                # added later: a book without them has no methods on file (no method changes)
                "payment_methods",
                "order_payers",
                "authorization_methods",
                "refund_methods",
            ),
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


def _plugins() -> dict[str, SimulatedSystem]:
    """The simulated systems other packages register (``ai_missions.simulated``)."""
    found: dict[str, SimulatedSystem] = {}
    for point in entry_points(group=SIMULATED_GROUP):
        system = point.load()
        if not isinstance(system, SimulatedSystem) or system.name != point.name:
            raise TypeError(f"entry point {point.name} = {point.value} is not the SimulatedSystem {point.name!r}")
        if system.name in SIMULATED:
            raise ValueError(f"entry point {point.value} registers the system {system.name!r} a second time")
        found[system.name] = system
    return found


SIMULATED.update(_plugins())

#: Every simulated system that keeps a database (what books, snapshots and sandboxes hold).
SYSTEMS: tuple[str, ...] = tuple(name for name, system in SIMULATED.items() if system.storage)
#: Every simulated system with an MCP server.
SERVED: tuple[str, ...] = tuple(SIMULATED)

#: Each system's full schema (common tables included) and its tables in insertion order.
SCHEMAS: dict[str, str] = {name: SIMULATED[name].schema for name in SYSTEMS}
TABLES: dict[str, tuple[str, ...]] = {name: SIMULATED[name].tables for name in SYSTEMS}
