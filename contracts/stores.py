"""Store and DC inventory with POS sales: stock by location with the last cycle count and how far the count can
be trusted, quarantines and recount tasks, inbound shipments to the DC and the promotions that depend on them."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "stores",
    "Store inventory, DC and merchandising",
    (
        read("stores", "get_stock_context", "Stock of SKUs at every location, inbound shipments and promotions."),
        read("stores", "get_location", "One store or DC."),
        write("stores", "quarantine_stock", "Stop selling a SKU at a location until it is recounted (reversible)."),
        write("stores", "release_quarantine", "Lift a SKU's quarantine at a location (the rollback of a quarantine)."),
        write("stores", "create_recount_task", "Ask a store to recount a SKU (reversible)."),
        write("stores", "cancel_recount_task", "Cancel an open recount task (the rollback of creating one)."),
        write("stores", "notify_merchandising", "Tell merchandising a promotion is at risk from an inbound delay."),
        write_lookup("stores"),
    ),
)
