"""An order as the support facts read it (its lines and its products' variants), built from a few tuples: tests of
item changes and returns describe an order in two lines instead of a nested dict."""

from __future__ import annotations

from typing import Any


def order_record(lines: list[tuple[str, str]], variants: list[tuple[str, str, str, float]]) -> dict[str, Any]:
    """``lines``: (description, sku) in line order; ``variants``: (sku, product id, option, unit price), nine of
    each available."""
    by_sku = {sku: (product, option, price) for sku, product, option, price in variants}
    return {
        "variants": [
            {"sku": sku, "product_id": product, "option": option, "unit_price": price, "available": 9}
            for sku, (product, option, price) in by_sku.items()
        ],
        "order": {
            "lines": [
                {"line_no": n, "sku": sku, "description": name, "quantity": 1, "unit_price": by_sku[sku][2]}
                for n, (name, sku) in enumerate(lines, 1)
            ]
        },
    }
