"""Receiving: goods receipts against purchase orders (quantities received and rejected per PO line)."""

from ai_missions.tools import SystemContract, read

CONTRACT = SystemContract(
    "receiving",
    "Receiving",
    (
        read("receiving", "get_goods_receipts", "A purchase order's goods receipts with their lines."),
        read("receiving", "get_receiving_context", "A purchase order's receipts and received quantity per line."),
    ),
)
