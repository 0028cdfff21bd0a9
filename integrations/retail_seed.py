"""The retail book: omnichannel orders in the OMS and their stock at stores and the DC, seeded with the five
exception kinds alone and combined, orders the monitors flag wrongly (nothing is wrong), and two bad records.

Deterministic per seed. Every order gets its own SKU, so one order's exception never leaks into another's. Each
order is built from a :class:`Scenario` (which kinds are true, and what alternatives exist), so the eval
generator builds single-case snapshots from the same code. The monitors' flags (``orders.flags``) are what an
operations report saw; they are right most of the time, and wrong for the ``false_flag`` orders.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ai_missions.integrations.loader import write_book
from ai_missions.integrations.plugin import Book
from ai_missions.integrations.systems import book_meta

BOOK_NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
DEFAULT_ORDERS = 240
DEFAULT_SEED = 7
REGIONS = ("N", "S", "E", "W")
STORES_PER_REGION = 3
DC = "DC-01"
#: A pickup store no location table knows (an order that names it is bad input, found by the mission).
UNKNOWN_STORE = "ST-Z99"
#: The order an orphan return names: the OMS holds no such order.
ORPHAN_ORDER = "RO-999999"

KINDS = ("pickup_unfulfillable", "phantom_stock", "inbound_delay", "unreconciled_return", "vip_stock_conflict")
#: Scenario mixes, with weights: alone, combined, and flagged with nothing wrong.
MIXES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("pickup_unfulfillable",), 14),
    (("phantom_stock",), 12),
    (("inbound_delay",), 12),
    (("unreconciled_return",), 12),
    (("vip_stock_conflict",), 9),
    (("pickup_unfulfillable", "phantom_stock"), 7),
    (("pickup_unfulfillable", "vip_stock_conflict"), 5),
    (("inbound_delay", "vip_stock_conflict"), 4),
    (("phantom_stock", "unreconciled_return"), 4),
    (("phantom_stock", "vip_stock_conflict"), 4),
    ((), 12),  # a false flag: the monitor saw something, nothing is wrong
)

Rows = dict[str, dict[str, list[dict[str, Any]]]]


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stores() -> list[tuple[str, str]]:
    return [(f"ST-{r}{n}", r) for r in REGIONS for n in range(1, STORES_PER_REGION + 1)]


@dataclass
class Scenario:
    """One order and what is true about it."""

    number: int
    kinds: tuple[str, ...]
    rng: random.Random
    #: ``store`` (another store in the region has it), ``dc`` (the DC has it) or ``none``.
    alternative: str = "store"
    flags: list[str] = field(default_factory=list)
    story: bool = False
    unknown_store: bool = False

    @property
    def order_id(self) -> str:
        return f"RO-{100000 + self.number}"

    @property
    def sku(self) -> str:
        return f"SKU-{50000 + self.number}"


def build_order(s: Scenario, rows: Rows) -> None:
    """Append every row of one scenario (customer, order, allocation, stock, shipments, returns) to ``rows``."""
    rng, kinds = s.rng, set(s.kinds)
    oms, st = rows["oms"], rows["stores"]
    vip = "vip_stock_conflict" in kinds or rng.random() < 0.08
    tier = "vip" if vip else rng.choice(("standard", "standard", "gold"))
    if "vip_stock_conflict" not in kinds and vip:
        tier = "gold"  # a VIP without a stock conflict would be a conflict-free VIP: keep the kinds exact
    customer_id = f"RC-{100000 + s.number}"
    oms["customers"].append(
        {"customer_id": customer_id, "name": f"Customer {s.number}", "email": f"c{s.number}@example.com", "tier": tier}
    )
    pickup = "pickup_unfulfillable" in kinds or ("inbound_delay" not in kinds and rng.random() < 0.3)
    region = rng.choice(REGIONS)
    home_store = f"ST-{region}{rng.randint(1, STORES_PER_REGION)}"
    if "inbound_delay" in kinds:
        allocated = DC
    elif pickup:
        allocated = home_store
    else:
        allocated = rng.choice((DC, home_store))
    pickup_store = (UNKNOWN_STORE if s.unknown_store else home_store) if pickup else None
    quantity = rng.randint(1, 3)
    price = rng.choice((1999, 2999, 4999, 8999, 14999, 24999))
    total = quantity * price
    placed = BOOK_NOW - timedelta(hours=rng.randint(4, 60))
    promised = BOOK_NOW + timedelta(days=rng.randint(1, 4))
    promo_id = f"PR-{s.number:05d}" if "inbound_delay" in kinds or rng.random() < 0.1 else None
    status = "fulfilled" if kinds == {"unreconciled_return"} else "open"
    oms["orders"].append(
        {
            "order_id": s.order_id, "customer_id": customer_id, "channel": rng.choice(("web", "app")),
            "fulfilment": "pickup" if pickup else "ship", "pickup_store": pickup_store, "status": status,
            "placed_at": ts(placed), "promised_at": ts(promised), "total_cents": total, "promo_id": promo_id,
            "flags": json.dumps(s.flags),
        }
    )  # fmt: skip
    oms["order_lines"].append(
        {"order_id": s.order_id, "line_no": 1, "sku": s.sku, "quantity": quantity, "unit_price_cents": price}
    )
    location = pickup_store if (pickup and s.unknown_store) else allocated
    oms["allocations"].append(
        {"order_id": s.order_id, "location_id": location, "previous_location_id": None, "changed_at": ts(placed)}
    )

    def stock(location_id: str, reliable: int, phantom: int = 0) -> None:
        sold = rng.randint(0, 4)
        counted = reliable + sold
        st["stock"].append(
            {
                "location_id": location_id, "sku": s.sku, "on_hand": reliable + phantom, "counted_qty": counted,
                "counted_at": ts(BOOK_NOW - timedelta(days=rng.randint(1, 20))), "sold_since_count": sold,
                "quarantined": 0,
            }
        )  # fmt: skip

    short = kinds & {"pickup_unfulfillable", "phantom_stock", "vip_stock_conflict", "inbound_delay"}
    if not short:
        stock(allocated, quantity + rng.randint(0, 6))
    elif "phantom_stock" in kinds:
        stock(allocated, rng.randint(0, quantity - 1) if quantity > 1 else 0, phantom=rng.randint(2, 6) + quantity)
    else:
        stock(allocated, rng.randint(0, quantity - 1) if quantity > 1 else 0)
    neighbour = f"ST-{region}{STORES_PER_REGION + 1 - int(home_store[-1]) if home_store[-1] != '2' else 1}"
    far = f"ST-{REGIONS[(REGIONS.index(region) + 1) % len(REGIONS)]}1"
    if allocated != DC:
        stock(DC, quantity + rng.randint(2, 20) if s.alternative == "dc" else rng.randint(0, quantity - 1))
    stock(neighbour, quantity + rng.randint(1, 5) if s.alternative == "store" else 0)
    stock(far, quantity + rng.randint(1, 5) if s.alternative == "far" else 0)
    if "inbound_delay" in kinds:
        delay = rng.randint(2, 9)
        original = promised - timedelta(days=1)
        st["inbound_shipments"].append(
            {
                "shipment_id": f"IS-{s.number:05d}", "sku": s.sku, "location_id": DC, "quantity": 50,
                "original_eta": ts(original), "eta": ts(original + timedelta(days=delay)),
            }
        )  # fmt: skip
    if promo_id:
        st["promotions"].append(
            {
                "promo_id": promo_id, "sku": s.sku, "name": f"Spring deal {s.number}",
                "starts_at": ts(BOOK_NOW - timedelta(days=1)), "ends_at": ts(BOOK_NOW + timedelta(days=10)),
            }
        )  # fmt: skip
    if pickup and not s.unknown_store:
        add_substitute(s, rows, home_store, price, quantity)
    if "unreconciled_return" in kinds or rng.random() < 0.1:
        posted = "unreconciled_return" not in kinds
        processed = BOOK_NOW - timedelta(hours=rng.randint(30, 240))
        oms["returns"].append(
            {
                "return_id": f"RT-{100000 + s.number}", "order_id": s.order_id,
                "channel": rng.choice(("store", "carrier", "kiosk")), "sku": s.sku, "quantity": 1,
                "refund_cents": rng.choice((1999, 2999, 4999, 8999, 14999, 24999, 49999)),
                "location_id": home_store, "processed_at": ts(processed), "posted": int(posted),
                "posted_at": ts(processed + timedelta(hours=2)) if posted else None,
            }
        )  # fmt: skip


#: Substitute prices as a share of the ordered item's: most within RET-007's 15% band, one outside it.
SUBSTITUTE_PRICES = (0.88, 0.92, 0.96, 1.04, 1.08, 1.12, 1.3)


def add_substitute(s: Scenario, rows: Rows, store: str, price: int, quantity: int) -> None:
    """Most pickup SKUs have a substitute in their family (its own random stream, so the rest of the book does not
    change): stocked at the pickup store or not, priced within the band or not."""
    rng = random.Random(f"substitute:{s.order_id}:{'+'.join(sorted(s.kinds))}")
    if rng.random() < 0.3:
        return
    substitute = f"SKU-{70000 + s.number}"
    rows["stores"]["substitutes"].append(
        {
            "sku": s.sku, "substitute_sku": substitute, "family": f"FAM-{s.number:05d}",
            "unit_price_cents": round(price * rng.choice(SUBSTITUTE_PRICES)),
        }
    )  # fmt: skip
    reliable = quantity + rng.randint(0, 4) if rng.random() < 0.75 else 0
    sold = rng.randint(0, 3)
    rows["stores"]["stock"].append(
        {
            "location_id": store, "sku": substitute, "on_hand": reliable, "counted_qty": reliable + sold,
            "counted_at": ts(BOOK_NOW - timedelta(days=rng.randint(1, 20))), "sold_since_count": sold,
            "quarantined": 0,
        }
    )  # fmt: skip


def empty_rows() -> Rows:
    return {
        "oms": {t: [] for t in ("customers", "orders", "order_lines", "allocations", "returns")},
        "stores": {t: [] for t in ("locations", "stock", "inbound_shipments", "promotions", "substitutes")},
    }


def add_locations(rows: Rows) -> None:
    rows["stores"]["locations"] = [
        {"location_id": sid, "kind": "store", "name": f"Store {sid[3:]}", "region": region} for sid, region in stores()
    ] + [{"location_id": DC, "kind": "dc", "name": "Central DC", "region": "C"}]


def finish(rows: Rows, meta: dict[str, str]) -> Rows:
    for system, tables in rows.items():
        tables["meta"] = [{"key": k, "value": v} for k, v in sorted({**meta, "system": system}.items())]
        tables["sequences"] = []
        # several scenarios may stock the same location: keep one row per (location, sku), the first
        if system == "stores":
            seen: set[tuple[str, str]] = set()
            unique = []
            for row in tables["stock"]:
                key = (row["location_id"], row["sku"])
                if key not in seen:
                    seen.add(key)
                    unique.append(row)
            tables["stock"] = unique
    return rows


def scenario(number: int, kinds: tuple[str, ...], seed: int, **options: Any) -> Scenario:
    """A scenario with its own random stream; the monitors flag the true kinds (a false flag for none)."""
    rng = random.Random(f"{seed}:{number}")
    alternative = rng.choices(("store", "dc", "far", "none"), weights=(5, 4, 1, 2))[0]
    flags = list(kinds) or [rng.choice(KINDS[:3])]
    return Scenario(number, kinds, rng, alternative=alternative, flags=flags, **options)


def generate(orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED) -> Rows:
    """The rows of a deterministic retail book: ``{system: {table: [row, ...]}}``."""
    rows = empty_rows()
    add_locations(rows)
    rng = random.Random(seed)
    mixes, weights = zip(*MIXES, strict=True)
    story = Scenario(1, ("pickup_unfulfillable",), random.Random(f"{seed}:story"), "store", ["pickup_unfulfillable"])
    story.story = True
    build_order(story, rows)
    for number in range(2, max(orders, 3) + 1):
        kinds = rng.choices(mixes, weights=weights)[0]
        if rng.random() < 0.25:  # an order nobody flagged and nothing is wrong with
            s = scenario(number, (), seed)
            s.flags = []
        else:
            s = scenario(number, kinds, seed)
        build_order(s, rows)
    bad = scenario(orders + 1, ("pickup_unfulfillable",), seed, unknown_store=True)
    build_order(bad, rows)
    rows["oms"]["returns"].append(
        {
            "return_id": "RT-999999", "order_id": ORPHAN_ORDER, "channel": "store", "sku": "SKU-59999",
            "quantity": 1, "refund_cents": 2999, "location_id": "ST-N1", "processed_at": ts(BOOK_NOW),
            "posted": 0, "posted_at": None,
        }
    )  # fmt: skip
    meta = {
        "book_now": ts(BOOK_NOW), "seed": str(seed), "orders": str(orders), "story_order_id": story.order_id,
        "unknown_store_order_id": bad.order_id,
    }  # fmt: skip
    return finish(rows, meta)


def story_order_id(home: Path | None = None) -> str | None:
    return book_meta("oms", "story_order_id", home)


def seed_retail_book(orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED, home: Path | None = None) -> Path:
    return write_book(generate(orders, seed), home)


BOOK = Book("retail", "orders", DEFAULT_ORDERS, generate, mission="retail-exceptions", story=story_order_id)
