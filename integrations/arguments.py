"""The argument types the systems' tools share: an ``Annotated`` type is a tool argument's JSON schema (its
constraints and description), so a tool that takes an order id takes this ``OrderId`` and lists the same schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = [
    "Amount",
    "CustomerId",
    "IdempotencyKey",
    "InvoiceId",
    "LocationId",
    "OrderId",
    "PoId",
    "Reason",
    "RetailLocationId",
    "Sku",
    "Text",
]

OrderId = Annotated[str, Field(min_length=1, max_length=64, description="Order id, e.g. SO-100123")]
CustomerId = Annotated[str, Field(min_length=1, max_length=64, description="Customer id, e.g. C-10001")]
Sku = Annotated[str, Field(min_length=1, max_length=64, description="SKU, e.g. SKU-1001")]
LocationId = Annotated[str, Field(min_length=1, max_length=64, description="Location id, e.g. DC-EAST")]
#: A store or a distribution centre of the retail book (OMS, stores).
RetailLocationId = Annotated[str, Field(min_length=1, max_length=32, description="Store ST-... or DC DC-...")]
InvoiceId = Annotated[str, Field(min_length=1, max_length=64, description="Invoice id, e.g. INV-100123")]
PoId = Annotated[str, Field(min_length=1, max_length=64, description="Purchase order id, e.g. PO-200123")]
Text = Annotated[str, Field(min_length=1, max_length=2000, description="Plain text, kept in the record")]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="Why, in a sentence (kept in the record)")]
Amount = Annotated[
    float,
    Field(
        strict=True,
        gt=0,
        le=1_000_000,
        multiple_of=0.01,
        description="Money amount in the order currency, > 0, in cents (at most two decimals)",
    ),
]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Unique per intended change: repeating a call with the same key and arguments returns the "
        "first result and changes nothing; the same key with different arguments is refused",
    ),
]
