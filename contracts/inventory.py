"""Inventory: stock per location, reservations and cycle counts."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "inventory",
    "Inventory",
    (
        read("inventory", "get_stock", "On hand, reserved and available per location for a SKU."),
        read("inventory", "get_reservations", "Reservations of an order."),
        read("inventory", "get_cycle_counts", "Recent cycle counts for a SKU (per location)."),
        read("inventory", "get_inventory_context", "An order's reservations and its SKUs' stock, in one read."),
        write("inventory", "confirm_reservation", "Confirm a pending reservation (needs stock)."),
        write("inventory", "release_reservation", "Release a reservation, returning its units."),
        write("inventory", "reallocate_reservation", "Move a reservation to another location."),
        write("inventory", "adjust_stock", "Set on-hand to a counted quantity (after a cycle count)."),
        write_lookup("inventory"),
    ),
)
