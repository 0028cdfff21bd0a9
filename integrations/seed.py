"""The seeded book of business: customers, products, locations, six weeks of orders and their payments, stock,
shipping and CRM history, with about 15% of orders in exception, alone and in combination.

Deterministic: the same ``(orders, seed)`` gives a byte-identical book. The book's clock is frozen at
:data:`BOOK_NOW`. Exceptions are *made by the data* (statuses, holds, scores, stock, counts, addresses, captures),
never stored as labels: :mod:`ai_missions.integrations.scan` finds them from state. The one exception named in
the metadata is the flagship story (``story_order_id``), for demos and docs.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ai_missions.integrations.addresses import GAZETTEER, STREET_SUFFIXES, Address, validate
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.payments import FRAUD_REASONS
from ai_missions.integrations.plugin import Book
from ai_missions.integrations.scan import EXCEPTION_TYPES
from ai_missions.integrations.store import to_ts
from ai_missions.integrations.systems import book_meta
from ai_missions.kernel.errors import ValidationError

BOOK_NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
HISTORY_DAYS = 42
AUTH_VALID = timedelta(days=7)
DEFAULT_ORDERS = 2000
DEFAULT_SEED = 7
EXCEPTION_SHARE = 0.15

LOCATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("DC-EAST", "East distribution center", "Newark", "NJ", "distribution_center"),
    ("DC-CENTRAL", "Central distribution center", "Dallas", "TX", "distribution_center"),
    ("DC-WEST", "West distribution center", "Reno", "NV", "distribution_center"),
    ("STORE-CHI", "Chicago flagship store", "Chicago", "IL", "store"),
)
LOCATION_IDS = tuple(loc[0] for loc in LOCATIONS)
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "audio": (("Wireless Headphones", "Bookshelf Speaker", "Soundbar", "Earbuds", "Turntable"), (4900, 69900)),
    "kitchen": (("Espresso Machine", "Chef Knife", "Dutch Oven", "Stand Mixer", "Kettle"), (2900, 89900)),
    "outdoor": (("Tent", "Sleeping Bag", "Trail Backpack", "Camp Stove", "Headlamp"), (1900, 59900)),
    "home": (("Desk Lamp", "Throw Blanket", "Air Purifier", "Wall Clock", "Bed Linen Set"), (1500, 39900)),
    "fitness": (("Yoga Mat", "Adjustable Dumbbells", "Rowing Machine", "Fitness Watch", "Foam Roller"), (1200, 99900)),
}
#: The colours a product comes in (its variants in the ERP).
COLOURS = ("Black", "Blue", "Red", "Green", "White", "Grey")
VARIANTS = ("Classic", "Pro", "Mini", "Max", "Air", "Studio", "Trail", "Urban")
FIRST = (
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Keiko", "Liam", "Maya",
    "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf", "Zoe", "Marta",
)  # fmt: skip
LAST = (
    "Anders", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Johnson", "Kowalski", "Lopez",
    "Moreau", "Nguyen", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Umar", "Vargas", "Weber", "Young", "Zimmer",
)  # fmt: skip
STREETS = ("Maple", "Oak", "Cedar", "Pine", "Elm", "Lake", "Hill", "Park", "River", "Sunset", "Mill", "Church")
CHANNEL_WEIGHTS = {"web": 55, "mobile": 25, "marketplace": 12, "phone": 8}
TIER_WEIGHTS = {"standard": 60, "silver": 22, "gold": 13, "vip": 5}
CARRIERS = (("UPS", "Ground"), ("FedEx", "Home Delivery"), ("USPS", "Priority"), ("UPS", "2nd Day Air"))

#: (exception types, variant, count per 2,000 orders). The combinations matter most.
PLAN: tuple[tuple[tuple[str, ...], str, int], ...] = (
    (("payment_review",), "benign", 30),
    (("payment_review",), "risky", 24),
    (("payment_review",), "mixed", 14),
    (("auth_expiring",), "", 28),
    (("oversell",), "", 28),
    (("phantom_inventory",), "", 24),
    (("address_invalid",), "corrected", 20),
    (("address_invalid",), "undeliverable", 14),
    (("duplicate_order",), "", 20),
    (("double_charge",), "", 20),
    (("payment_review", "address_invalid"), "benign", 10),
    (("payment_review", "address_invalid"), "risky", 6),
    (("oversell", "phantom_inventory"), "", 10),
    (("duplicate_order", "double_charge"), "", 8),
    (("payment_review", "auth_expiring"), "benign", 8),
    (("payment_review", "auth_expiring"), "risky", 4),
    (("payment_review", "oversell"), "benign", 6),
    (("payment_review", "phantom_inventory"), "benign", 5),
    (("auth_expiring", "oversell"), "", 5),
    (("address_invalid", "duplicate_order"), "corrected", 5),
    (("oversell", "address_invalid"), "corrected", 4),
    (("payment_review", "auth_expiring", "address_invalid"), "mixed", 3),
)
INVENTORY_TYPES = frozenset({"oversell", "phantom_inventory"})


@dataclass
class CustomerSpec:
    customer_id: str
    name: str
    tier: str
    since: datetime
    addresses: list[tuple[Address, datetime, datetime | None]]
    fraud_flags: int = 0
    prior_spend_cents: int = 0
    prior_orders: int = 0


@dataclass
class OrderSpec:
    customer: CustomerSpec
    placed_at: datetime
    channel: str
    lines: list[tuple[str, int]]
    status: str
    ship_to: Address
    transitions: list[tuple[datetime, str, str]] = field(default_factory=list)
    auth_expires_at: datetime | None = None
    captures: list[datetime] = field(default_factory=list)
    auth_voided: bool = False
    fraud_score: int = 5
    fraud_reasons: list[str] = field(default_factory=list)
    payment_hold: bool = False
    reservation_status: str = "pending"
    locations: list[str] = field(default_factory=list)
    erp_hold: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    story: bool = False
    order_id: str = ""


@dataclass
class StockPlan:
    """Stock and the latest cycle count of a SKU claimed by an inventory exception (location -> quantity)."""

    on_hand: dict[str, int]
    counted: dict[str, int]


class Generator:
    """Builds the rows of a book from a seed (see :func:`generate`)."""

    def __init__(self, orders: int, seed: int) -> None:
        if orders < 1 or orders > 200_000:
            raise ValidationError("--orders must be between 1 and 200000")
        self.n_orders = orders
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = BOOK_NOW
        self.customers: list[CustomerSpec] = []
        self.orders: list[OrderSpec] = []
        self.products: list[tuple[str, str, str, int]] = []
        self.price: dict[str, int] = {}
        self.claimed: dict[str, StockPlan] = {}
        self.free_skus: list[str] = []
        self.claimable: list[str] = []
        self.address_seq = 0

    # --- building blocks ---------------------------------------------------------------------------------------

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def address(self, name: str, city: str | None = None) -> Address:
        city = city or self.rng.choice(sorted(GAZETTEER))
        region, zips = GAZETTEER[city]
        number = self.rng.randint(1, 9899)
        street = f"{number} {self.rng.choice(STREETS)} {self.rng.choice(STREET_SUFFIXES)}"
        line2 = f"Apt {self.rng.randint(1, 40)}" if self.rng.random() < 0.25 else None
        return Address(
            name=name, line1=street, line2=line2, city=city, region=region, postal_code=self.rng.choice(zips)
        )

    def customer(self, tenure_days: float | None = None, moved_days_ago: float | None = None) -> CustomerSpec:
        rng = self.rng
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        tenure = tenure_days if tenure_days is not None else rng.choice((0.3, 1, 2, 3, 5, 8)) * 365 * rng.random()
        tenure = max(tenure, 45.0) if tenure_days is None else tenure
        since = self.now - timedelta(days=tenure)
        latest_cut = tenure - 30 - (moved_days_ago or 0)
        n_addresses = 1 + min(int(tenure / 700), 3) if tenure > 400 and latest_cut > 0 else 1
        cuts = sorted(rng.uniform(0, latest_cut) for _ in range(n_addresses - 1))
        starts = [since] + [since + timedelta(days=c) for c in cuts]
        if moved_days_ago is not None:
            if len(starts) == 1:
                starts.append(self.now - timedelta(days=moved_days_ago))
            else:
                starts[-1] = self.now - timedelta(days=moved_days_ago)
        addresses: list[tuple[Address, datetime, datetime | None]] = []
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else None
            addresses.append((self.address(name), start.replace(microsecond=0), end and end.replace(microsecond=0)))
        tier = self.pick(TIER_WEIGHTS) if tenure > 180 else "standard"
        yearly = {"standard": 30000, "silver": 90000, "gold": 220000, "vip": 600000}[tier]
        spec = CustomerSpec(
            customer_id=f"C-{10001 + len(self.customers)}",
            name=name,
            tier=tier,
            since=since.replace(microsecond=0),
            addresses=addresses,
            fraud_flags=1 if rng.random() < 0.02 else 0,
            prior_spend_cents=int(yearly * tenure / 365 * rng.uniform(0.5, 1.5)),
            prior_orders=int(tenure / 365 * rng.uniform(1, 8)),
        )
        self.customers.append(spec)
        return spec

    def current_address(self, customer: CustomerSpec, at: datetime) -> Address:
        for address, start, end in reversed(customer.addresses):
            if start <= at and (end is None or at < end):
                return address
        return customer.addresses[-1][0]

    def lines(self, skus: list[str], max_lines: int = 3) -> list[tuple[str, int]]:
        count = self.rng.choices((1, 2, 3), weights=(60, 28, 12))[0]
        chosen = self.rng.sample(skus, min(count, max_lines, len(skus)))
        return [(sku, self.rng.choices((1, 2, 3), weights=(75, 18, 7))[0]) for sku in chosen]

    def total_cents(self, lines: list[tuple[str, int]]) -> tuple[int, int, int, int]:
        subtotal = sum(self.price[sku] * qty for sku, qty in lines)
        shipping = 0 if subtotal >= 7500 else 799
        tax = round(subtotal * 0.08)
        return subtotal, shipping, tax, subtotal + shipping + tax

    def claim_skus(self, count: int) -> None:
        """Set aside SKUs for inventory exceptions: no other open order will reserve them."""
        for _ in range(min(count, len(self.free_skus) - 10)):
            self.claimable.append(self.free_skus.pop(self.rng.randrange(len(self.free_skus))))

    def claim_sku(self) -> str:
        return self.claimable.pop()

    # --- the book ----------------------------------------------------------------------------------------------

    def make_catalog(self) -> None:
        n_skus = max(60, min(400, self.n_orders // 8))
        for i in range(n_skus):
            category = sorted(CATEGORIES)[i % len(CATEGORIES)]
            names, (low, high) = CATEGORIES[category]
            sku = f"SKU-{1001 + i}"
            price = int(round(self.rng.uniform(low, high), -2)) - 1
            self.products.append((sku, f"{self.rng.choice(VARIANTS)} {self.rng.choice(names)}", category, price))
            self.price[sku] = price
        self.free_skus = [p[0] for p in self.products]

    def timeline(self, spec: OrderSpec) -> None:
        """Derive transitions, shipping and payment facts from the final status and the order's age."""
        rng, placed = self.rng, spec.placed_at
        age = self.now - placed
        spec.auth_expires_at = placed + timedelta(minutes=1) + AUTH_VALID
        step = placed + min(age * 0.15, timedelta(hours=3))
        if spec.status == "cancelled":
            spec.transitions.append((step, "pending", "cancelled"))
            spec.auth_voided, spec.reservation_status = True, "released"
        elif spec.status in ("ready_to_fulfill", "shipped", "delivered"):
            spec.transitions.append((step, "pending", "ready_to_fulfill"))
            spec.reservation_status = "confirmed"
        if spec.status in ("shipped", "delivered"):
            spec.shipped_at = placed + min(age * 0.4, timedelta(hours=rng.uniform(20, 40)))
            spec.transitions.append((spec.shipped_at, "ready_to_fulfill", "shipped"))
            spec.captures = [spec.shipped_at]
            spec.reservation_status = "fulfilled"
        if spec.status == "delivered":
            assert spec.shipped_at is not None
            spec.delivered_at = spec.shipped_at + min((self.now - spec.shipped_at) * 0.8, timedelta(days=3))
            spec.transitions.append((spec.delivered_at, "shipped", "delivered"))
        if spec.status == "on_hold":
            spec.transitions.append((step, "pending", "on_hold"))

    def normal_order(self, customer: CustomerSpec, placed: datetime) -> OrderSpec:
        rng = self.rng
        age_days = (self.now - placed) / timedelta(days=1)
        if age_days > 7:
            status = rng.choices(("delivered", "shipped", "cancelled"), weights=(86, 4, 10))[0]
        elif age_days > 4.5:
            status = rng.choices(("delivered", "shipped", "cancelled"), weights=(40, 52, 8))[0]
        elif age_days > 1.5:
            status = rng.choices(
                ("shipped", "ready_to_fulfill", "delivered", "cancelled", "on_hold"), weights=(55, 22, 12, 8, 3)
            )[0]
        else:
            status = rng.choices(("pending", "ready_to_fulfill", "cancelled"), weights=(45, 49, 6))[0]
        closed = status in ("delivered", "shipped", "cancelled")
        pool = [p[0] for p in self.products] if closed else self.free_skus
        spec = OrderSpec(
            customer=customer,
            placed_at=placed,
            channel=self.pick(CHANNEL_WEIGHTS),
            lines=self.lines(pool),
            status=status,
            ship_to=self.current_address(customer, placed),
            fraud_score=rng.randint(1, 38),
        )
        if spec.status == "on_hold":
            spec.erp_hold = "customer asked to delay shipment"
        if rng.random() < 0.08:
            spec.fraud_reasons = [rng.choice(("high_value", "velocity"))]
            spec.fraud_score = rng.randint(25, 52)
        self.timeline(spec)
        return spec

    def exception_order(self, types: tuple[str, ...], variant: str, story: bool = False) -> list[OrderSpec]:
        """One exception order (two for a duplicate: the original and the duplicate), made by the data."""
        rng, now = self.rng, self.now
        kinds = set(types)
        if "auth_expiring" in kinds:
            placed = now - AUTH_VALID - timedelta(minutes=1) + timedelta(hours=rng.uniform(2, 22))
        else:
            placed = now - timedelta(hours=rng.uniform(1.5, 40))
        placed = placed.replace(microsecond=0)
        review = "payment_review" in kinds
        age_days = (now - placed) / timedelta(days=1)
        if story:
            customer = self.customer(tenure_days=5 * 365.25 + 9, moved_days_ago=14)
            customer.tier, customer.prior_spend_cents, customer.fraud_flags = "gold", 1_140_000, 0
        elif review and variant == "benign":
            moved = age_days + rng.uniform(1, 18)
            customer = self.customer(tenure_days=rng.uniform(3, 9) * 365, moved_days_ago=moved)
        elif review and variant == "risky":
            customer = self.customer(tenure_days=age_days + rng.uniform(1, 20))
            customer.fraud_flags = rng.choice((0, 0, 1, 2))
            customer.prior_spend_cents, customer.prior_orders = 0, 0
        else:
            customer = self.customer()
        ship_to = self.current_address(customer, placed)
        if review and variant in ("risky", "mixed"):
            ship_to = self.address(customer.name)  # not in the customer's history
        inventory_case = bool(kinds & INVENTORY_TYPES) or story
        if inventory_case:
            sku = self.claim_sku()
            qty = 1 if story else rng.randint(2, 4)
            lines = [(sku, qty)]
        else:
            lines = self.lines(self.free_skus)
        status = "payment_review" if review else "pending"
        if "double_charge" in kinds:
            status = "ready_to_fulfill" if "duplicate_order" in kinds else rng.choice(("ready_to_fulfill", "shipped"))
        spec = OrderSpec(
            customer=customer,
            placed_at=placed,
            channel=self.pick(CHANNEL_WEIGHTS),
            lines=lines,
            status=status,
            ship_to=ship_to,
            fraud_score=rng.randint(2, 35),
            story=story,
        )
        self.timeline(spec)
        if review:
            self.make_review(spec, variant, story)
        if "auth_expiring" in kinds:
            spec.auth_expires_at = placed + timedelta(minutes=1) + AUTH_VALID
        if inventory_case:
            self.make_stock(spec, kinds, story)
        if "address_invalid" in kinds:
            spec.ship_to = self.broken_address(spec.ship_to, variant)
        if "double_charge" in kinds:
            first = spec.captures[0] if spec.captures else placed + (now - placed) * rng.uniform(0.2, 0.6)
            spec.captures = [first, first + timedelta(seconds=rng.randint(20, 240))]
            spec.auth_expires_at = placed + timedelta(minutes=1) + AUTH_VALID
        if "duplicate_order" not in kinds:
            return [spec]
        original = OrderSpec(
            customer=customer,
            placed_at=placed - timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59)),
            channel=spec.channel,
            lines=list(spec.lines),
            status="pending",
            ship_to=self.current_address(customer, placed),
            fraud_score=rng.randint(2, 30),
        )
        self.timeline(original)
        if "double_charge" in kinds:
            original.status = "ready_to_fulfill"
            original.transitions = [(original.placed_at + timedelta(minutes=30), "pending", "ready_to_fulfill")]
            original.reservation_status = "confirmed"
        return [original, spec]

    def make_review(self, spec: OrderSpec, variant: str, story: bool) -> None:
        rng = self.rng
        spec.payment_hold = True
        spec.transitions = [(spec.placed_at + timedelta(minutes=2), "pending", "payment_review")]
        if story:
            spec.fraud_score, spec.fraud_reasons = 64, ["new_shipping_address"]
        elif variant == "benign":
            spec.fraud_score, spec.fraud_reasons = rng.randint(60, 72), ["new_shipping_address"]
        elif variant == "mixed":
            spec.fraud_score = rng.randint(66, 79)
            spec.fraud_reasons = ["new_shipping_address", rng.choice(("high_value", "mismatched_billing"))]
        else:
            extra = rng.sample(["velocity", "mismatched_billing", "high_value", "risky_ip"], rng.randint(2, 3))
            spec.fraud_reasons = ["new_shipping_address", *extra]
            if spec.customer.fraud_flags:
                spec.fraud_reasons.append("prior_chargeback")
            spec.fraud_score = rng.randint(81, 98)

    def make_stock(self, spec: OrderSpec, kinds: set[str], story: bool) -> None:
        """Set the claimed SKU's stock and latest counts so the order is (or is not) short or phantom."""
        rng = self.rng
        sku, qty = spec.lines[0]
        home, *others = rng.sample(LOCATION_IDS, len(LOCATION_IDS))
        spec.locations = [home]
        on_hand = {loc: rng.choice((0, 0, 1)) for loc in others}
        if story:
            on_hand, counted = dict.fromkeys(LOCATION_IDS, 0), dict.fromkeys(LOCATION_IDS, 0)
            on_hand[home] = counted[home] = 1
            self.claimed[sku] = StockPlan(on_hand=on_hand, counted=counted)
            return
        short = "oversell" in kinds
        phantom = "phantom_inventory" in kinds
        if short:
            on_hand[home] = rng.randint(1 if phantom else 0, qty - 1)
            on_hand[others[0]] = qty + rng.randint(0, 12)
        else:
            on_hand[home] = qty + rng.randint(0, 4)
            on_hand[others[0]] = rng.choice((0, qty + rng.randint(0, 6)))
        counted = dict(on_hand)
        if phantom:
            counted[home] = rng.randint(0, min(on_hand[home], qty) - 1) if on_hand[home] > 0 else 0
        self.claimed[sku] = StockPlan(on_hand=on_hand, counted=counted)

    def broken_address(self, address: Address, variant: str) -> Address:
        rng = self.rng
        data = address.model_dump(exclude={"fingerprint"})
        if variant == "undeliverable" or (variant == "mixed" and rng.random() < 0.5):
            if rng.random() < 0.5:
                data["line1"] = data["line1"].split(" ", 1)[1]  # no street number
            else:
                data["city"] = data["city"][:-1] + "ville"  # a city that does not exist
        else:
            fix = rng.choice(("postal", "suffix", "postal"))
            if fix == "postal":
                other = rng.choice([c for c in sorted(GAZETTEER) if c != data["city"]])
                data["postal_code"] = GAZETTEER[other][1][0]
            else:
                data["line1"] = " ".join([*data["line1"].split()[:-1], rng.choice(("Stret", "Avenu"))])
        return Address(**data)

    def plan(self) -> Iterator[tuple[tuple[str, ...], str, bool]]:
        """The flagship story, then the scenarios round-robin (every type alone first, then the combinations),
        scaled to the book's size and capped at about :data:`EXCEPTION_SHARE` of its orders."""
        budget = min(max(10, round(self.n_orders * EXCEPTION_SHARE)), max(1, self.n_orders // 3))
        yield ("payment_review",), "benign", True
        used = 1
        scale = self.n_orders / DEFAULT_ORDERS
        scaled = [(types, variant, max(1, round(count * scale))) for types, variant, count in PLAN]
        for round_no in range(max(n for *_, n in scaled)):
            batch = [(types, variant) for types, variant, count in scaled if round_no < count]
            if round_no == 0:
                firsts = list({types[0]: (types, v) for types, v in reversed(batch) if len(types) == 1}.values())
                firsts.sort(key=lambda tv: EXCEPTION_TYPES.index(tv[0][0]))
                batch = [
                    *firsts,
                    *(tv for tv in batch if len(tv[0]) > 1),
                    *(tv for tv in batch if tv not in firsts and len(tv[0]) == 1),
                ]
            for types, variant in batch:
                if used < budget:
                    used += 1
                    yield types, variant, False

    def build(self) -> None:
        rng, now = self.rng, self.now
        self.make_catalog()
        plan = list(self.plan())
        self.claim_skus(sum(1 for types, _, story in plan if story or INVENTORY_TYPES & set(types)))
        for types, variant, story in plan:
            self.orders.extend(self.exception_order(types, variant, story))
        regular = [self.customer() for _ in range(max(10, self.n_orders // 3))]
        seen: dict[tuple[str, tuple[tuple[str, int], ...]], datetime] = {}
        while len(self.orders) < self.n_orders:
            customer = rng.choice(regular)
            placed = (now - timedelta(days=rng.uniform(0.02, HISTORY_DAYS))).replace(microsecond=0)
            placed = max(placed, customer.since + timedelta(hours=1))
            spec = self.normal_order(customer, placed)
            key = (customer.customer_id, tuple(sorted(spec.lines)))
            if key in seen and abs(seen[key] - placed) < timedelta(hours=3):
                continue
            seen[key] = placed
            self.orders.append(spec)
        self.orders.sort(key=lambda o: (o.placed_at, o.customer.customer_id))
        for i, spec in enumerate(self.orders):
            spec.order_id = f"SO-{100001 + i}"
            if not spec.locations:
                spec.locations = [rng.choice(LOCATION_IDS) for _ in spec.lines]

    # --- rows --------------------------------------------------------------------------------------------------

    def rows(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        book: dict[str, dict[str, list[dict[str, Any]]]] = {
            s: defaultdict(list) for s in ("erp", "crm", "inventory", "payments", "shipping")
        }
        meta = {"book_now": to_ts(self.now), "seed": str(self.seed), "orders": str(self.n_orders)}
        story = next((o.order_id for o in self.orders if o.story), None)
        for system, tables in book.items():
            entries = dict(meta, system=system)
            if system == "erp" and story:
                entries["story_order_id"] = story
            tables["meta"] = [{"key": k, "value": v} for k, v in sorted(entries.items())]
        self.erp_rows(book["erp"])
        self.crm_rows(book["crm"])
        self.inventory_rows(book["inventory"])
        self.payment_rows(book["payments"])
        self.shipping_rows(book["shipping"])
        return {s: dict(t) for s, t in book.items()}

    def erp_rows(self, erp: dict[str, list[dict[str, Any]]]) -> None:
        events: list[tuple[datetime, str, str | None, str, str | None]] = []
        names = {p[0]: p[1] for p in self.products}
        for o in self.orders:
            sub, ship, tax, total = self.total_cents(o.lines)
            a = o.ship_to
            updated = max([o.placed_at, *(t[0] for t in o.transitions)])
            erp["orders"].append(
                {
                    "order_id": o.order_id,
                    "customer_id": o.customer.customer_id,
                    "channel": o.channel,
                    "status": o.status,
                    "placed_at": to_ts(o.placed_at),
                    "updated_at": to_ts(updated),
                    "currency": "USD",
                    "subtotal_cents": sub,
                    "shipping_cents": ship,
                    "tax_cents": tax,
                    "total_cents": total,
                    "ship_name": a.name,
                    "ship_line1": a.line1,
                    "ship_line2": a.line2,
                    "ship_city": a.city,
                    "ship_region": a.region,
                    "ship_postal_code": a.postal_code,
                    "ship_country": a.country,
                }
            )
            for n, (sku, qty) in enumerate(o.lines, start=1):
                erp["order_lines"].append(
                    {
                        "order_id": o.order_id,
                        "line_no": n,
                        "sku": sku,
                        "description": names[sku],
                        "quantity": qty,
                        "unit_price_cents": self.price[sku],
                    }
                )
            if o.erp_hold:
                hold_at = o.transitions[-1][0]
                erp["order_holds"].append(
                    {
                        "hold_id": f"HOLD-{len(erp['order_holds']) + 1:06d}",
                        "order_id": o.order_id,
                        "reason": o.erp_hold,
                        "status": "active",
                        "previous_status": "pending",
                        "placed_at": to_ts(hold_at),
                        "released_at": None,
                    }
                )
            events.append((o.placed_at, o.order_id, None, "pending", "order placed"))
            events.extend((at, o.order_id, old, new, None) for at, old, new in o.transitions)
        events.sort(key=lambda e: (e[0], e[1], e[3]))
        for i, (at, order_id, old, new, reason) in enumerate(events, start=1):
            erp["order_events"].append(
                {
                    "event_id": i,
                    "order_id": order_id,
                    "type": "order.placed" if old is None else "order.status_changed",
                    "from_status": old,
                    "to_status": new,
                    "at": to_ts(at),
                    "reason": reason,
                }
            )
        self.variant_rows(erp)
        erp["sequences"] = [
            {"prefix": "HOLD", "value": len(erp["order_holds"])},
            {"prefix": "RET", "value": len(erp["order_returns"])},
        ]

    def variant_rows(self, erp: dict[str, list[dict[str, Any]]]) -> None:
        """Each product's colour variants at its price (stock to sell, some sold out), and returns of some
        delivered orders (most received by the warehouse, a few registered and still on their way back).

        Drawn from their own random stream, so the rest of the book is the same with or without them."""
        rng = random.Random(self.seed * 7919 + 31)
        for sku, _name, _category, price in self.products:
            colours = rng.sample(COLOURS, 3)
            for n, colour in enumerate(colours):
                erp["variants"].append(
                    {
                        "sku": sku if n == 0 else f"{sku}-{colour.upper()}",
                        "product_id": f"P-{sku[4:]}",
                        "option": colour,
                        "unit_price_cents": price,
                        "available": rng.choice((0, 3, 8, 15, 40)),
                    }
                )
        for o in self.orders:
            if o.delivered_at is None or rng.random() >= 0.15:
                continue
            return_id = f"RET-{len(erp['order_returns']) + 1:06d}"
            created = o.delivered_at + timedelta(days=rng.uniform(1, 10))
            received = created + timedelta(days=rng.uniform(2, 6))
            if received >= self.now or rng.random() < 0.2:
                received_at, condition = None, None
            else:
                received_at, condition = to_ts(received), rng.choice(("as_new", "as_new", "opened", "damaged"))
            erp["order_returns"].append(
                {
                    "return_id": return_id,
                    "order_id": o.order_id,
                    "created_at": to_ts(min(created, self.now)),
                    "received_at": received_at,
                    "condition": condition,
                }
            )
            sku_qty = o.lines[0]
            erp["return_lines"].append({"return_id": return_id, "line_no": 1, "quantity": sku_qty[1]})

    def crm_rows(self, crm: dict[str, list[dict[str, Any]]]) -> None:
        rng = random.Random(self.seed * 7919 + 1)
        by_customer: dict[str, list[OrderSpec]] = defaultdict(list)
        for o in self.orders:
            by_customer[o.customer.customer_id].append(o)
        counts = {"ADDR": 0, "NOTE": 0, "CASE": 0, "MSG": 0}

        def next_id(prefix: str) -> str:
            counts[prefix] += 1
            return f"{prefix}-{counts[prefix]:06d}"

        for c in self.customers:
            orders = by_customer.get(c.customer_id, [])
            kept = [o for o in orders if o.status != "cancelled"]
            first_order = min([o.placed_at for o in orders], default=None)
            if c.prior_orders:
                first_order = c.since + timedelta(days=rng.uniform(0, 5))
            first_order = first_order.replace(microsecond=0) if first_order else None
            allowed = ["email", "sms", "phone"] if rng.random() < 0.6 else ["email"]
            crm["customers"].append(
                {
                    "customer_id": c.customer_id,
                    "name": c.name,
                    "email": f"{c.name.lower().replace(' ', '.')}.{c.customer_id[2:]}@example.com",
                    "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                    "tier": c.tier,
                    "customer_since": to_ts(c.since),
                    "first_order_at": to_ts(first_order) if first_order else None,
                    "lifetime_value_cents": c.prior_spend_cents + sum(self.total_cents(o.lines)[3] for o in kept),
                    "order_count": c.prior_orders + len(kept),
                    "fraud_flags": c.fraud_flags,
                    "preferred_channel": allowed[0] if rng.random() < 0.7 else allowed[-1],
                    "allowed_channels": json.dumps(allowed),
                    "language": rng.choices(("en", "es", "fr"), weights=(85, 12, 3))[0],
                    "marketing_opt_in": int(rng.random() < 0.4),
                }
            )
            for address, start, end in c.addresses:
                crm["addresses"].append(
                    {
                        "address_id": next_id("ADDR"),
                        "customer_id": c.customer_id,
                        **address.model_dump(exclude={"fingerprint"}),
                        "since": to_ts(start),
                        "until": to_ts(end) if end else None,
                    }
                )
            if len(c.addresses) > 1 and (self.now - c.addresses[-1][1]) < timedelta(days=30):
                moved = c.addresses[-1][1]
                crm["notes"].append(
                    {
                        "note_id": next_id("NOTE"),
                        "customer_id": c.customer_id,
                        "author": "support",
                        "body": f"Customer called to update their address after moving to {c.addresses[-1][0].city}.",
                        "order_id": None,
                        "created_at": to_ts(moved + timedelta(hours=2)),
                    }
                )
            for _ in range(rng.choices((0, 1, 2), weights=(70, 22, 8))[0]):
                crm["notes"].append(
                    {
                        "note_id": next_id("NOTE"),
                        "customer_id": c.customer_id,
                        "author": rng.choice(("support", "sales", "ops")),
                        "body": rng.choice(
                            (
                                "Prefers deliveries after 5pm.",
                                "Asked about the loyalty programme.",
                                "Happy with last delivery; left a 5-star review.",
                                "Requested invoice copies by email.",
                            )
                        ),
                        "order_id": None,
                        "created_at": to_ts(c.since + (self.now - c.since) * rng.random()),
                    }
                )
            for _ in range(rng.choices((0, 1, 2), weights=(75, 20, 5))[0]):
                opened = c.since + (self.now - c.since) * rng.random()
                is_open = rng.random() < 0.25
                related = rng.choice(orders).order_id if orders and rng.random() < 0.5 else None
                crm["cases"].append(
                    {
                        "case_id": next_id("CASE"),
                        "customer_id": c.customer_id,
                        "subject": rng.choice(
                            ("Where is my order?", "Damaged item", "Change delivery date", "Billing question")
                        ),
                        "status": "open" if is_open else "closed",
                        "priority": rng.choice(("low", "normal", "high")),
                        "order_id": related,
                        "opened_at": to_ts(opened),
                        "closed_at": None if is_open else to_ts(opened + timedelta(days=rng.uniform(0.1, 4))),
                    }
                )
            for o in orders[-2:]:
                if o.status == "cancelled":
                    continue
                crm["messages"].append(
                    {
                        "message_id": next_id("MSG"),
                        "customer_id": c.customer_id,
                        "direction": "outbound",
                        "channel": "email",
                        "subject": f"Order {o.order_id} received",
                        "body": f"Thank you for your order {o.order_id}. We will let you know when it ships.",
                        "order_id": o.order_id,
                        "at": to_ts(o.placed_at + timedelta(minutes=1)),
                    }
                )
                if rng.random() < 0.1:
                    crm["messages"].append(
                        {
                            "message_id": next_id("MSG"),
                            "customer_id": c.customer_id,
                            "direction": "inbound",
                            "channel": "email",
                            "subject": f"Re: Order {o.order_id} received",
                            "body": "Could you tell me when this will arrive?",
                            "order_id": o.order_id,
                            "at": to_ts(o.placed_at + timedelta(hours=rng.uniform(1, 20))),
                        }
                    )
        crm["sequences"] = [{"prefix": p, "value": v} for p, v in sorted(counts.items())]

    def inventory_rows(self, inv: dict[str, list[dict[str, Any]]]) -> None:
        rng = random.Random(self.seed * 104729 + 3)
        now = to_ts(self.now)
        inv["locations"] = [
            {"location_id": i, "name": n, "city": c, "region": r, "kind": k} for i, n, c, r, k in LOCATIONS
        ]
        inv["products"] = [{"sku": s, "name": n, "category": c, "unit_price_cents": p} for s, n, c, p in self.products]
        demand: dict[tuple[str, str], int] = defaultdict(int)
        n = 0
        for o in self.orders:
            for line_no, ((sku, qty), loc) in enumerate(zip(o.lines, o.locations, strict=True), start=1):
                n += 1
                if o.reservation_status in ("pending", "confirmed"):
                    demand[(sku, loc)] += qty
                inv["reservations"].append(
                    {
                        "reservation_id": f"RSV-{n:06d}",
                        "order_id": o.order_id,
                        "line_no": line_no,
                        "sku": sku,
                        "location_id": loc,
                        "quantity": qty,
                        "status": o.reservation_status,
                        "created_at": to_ts(o.placed_at + timedelta(seconds=30)),
                        "updated_at": to_ts(max([o.placed_at, *(t[0] for t in o.transitions)])),
                    }
                )
        counts = 0
        for sku, *_ in self.products:
            plan = self.claimed.get(sku)
            for loc in LOCATION_IDS:
                if plan is not None:
                    on_hand, counted = plan.on_hand[loc], plan.counted[loc]
                else:
                    buffer = rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 20, 30))
                    on_hand = demand[(sku, loc)] + buffer
                    counted = on_hand
                inv["stock"].append({"sku": sku, "location_id": loc, "on_hand": on_hand, "updated_at": now})
                if plan is None and rng.random() < 0.5:
                    continue
                history = [(rng.uniform(10, 30), max(on_hand + rng.randint(-2, 2), 0))] if rng.random() < 0.4 else []
                for days_ago, qty in [*history, (rng.uniform(0.2, 5), counted)]:  # the latest count comes last
                    counts += 1
                    inv["cycle_counts"].append(
                        {
                            "count_id": f"CC-{counts:06d}",
                            "sku": sku,
                            "location_id": loc,
                            "counted_qty": qty,
                            "system_qty": on_hand,
                            "counted_at": to_ts(self.now - timedelta(days=days_ago)),
                            "counted_by": rng.choice(("night shift", "cycle team A", "cycle team B")),
                        }
                    )
        inv["sequences"] = [{"prefix": "CC", "value": counts}]

    def payment_rows(self, pay: dict[str, list[dict[str, Any]]]) -> None:
        rng = random.Random(self.seed * 15485863 + 5)
        caps = holds = 0
        for i, o in enumerate(self.orders, start=1):
            total = self.total_cents(o.lines)[3]
            auth_id = f"AUTH-{i:06d}"
            assert o.auth_expires_at is not None
            status = "voided" if o.auth_voided else ("captured" if o.captures else "authorized")
            pay["authorizations"].append(
                {
                    "authorization_id": auth_id,
                    "order_id": o.order_id,
                    "amount_cents": total,
                    "currency": "USD",
                    "status": status,
                    "card_brand": rng.choice(("visa", "mastercard", "amex", "discover")),
                    "card_last4": f"{rng.randint(0, 9999):04d}",
                    "authorized_at": to_ts(o.placed_at + timedelta(minutes=1)),
                    "expires_at": to_ts(o.auth_expires_at),
                    "voided_at": to_ts(o.transitions[0][0]) if o.auth_voided else None,
                }
            )
            for at in o.captures:
                caps += 1
                pay["captures"].append(
                    {
                        "capture_id": f"CAP-{caps:06d}",
                        "authorization_id": auth_id,
                        "order_id": o.order_id,
                        "amount_cents": total,
                        "captured_at": to_ts(at),
                    }
                )
            assert all(r in FRAUD_REASONS for r in o.fraud_reasons)
            pay["fraud_assessments"].append(
                {
                    "order_id": o.order_id,
                    "score": o.fraud_score,
                    "reasons": json.dumps(o.fraud_reasons),
                    "assessed_at": to_ts(o.placed_at + timedelta(seconds=50)),
                    "model": "riskmodel-2026.02",
                }
            )
            if o.payment_hold:
                holds += 1
                pay["payment_holds"].append(
                    {
                        "hold_id": f"PH-{holds:06d}",
                        "order_id": o.order_id,
                        "reason": f"fraud review: score {o.fraud_score}",
                        "status": "active",
                        "placed_at": to_ts(o.placed_at + timedelta(minutes=2)),
                        "released_at": None,
                    }
                )
        pay["sequences"] = [{"prefix": "CAP", "value": caps}, {"prefix": "PH", "value": holds}]
        self.payment_method_rows(pay)

    def payment_method_rows(self, pay: dict[str, list[dict[str, Any]]]) -> None:
        """Each customer's methods on file: the cards their orders were authorized on, and for some a PayPal
        account and a gift card with a balance; each order's payer and the method its authorization is on. Drawn
        from a random stream of their own, so the rest of the book is the same as before methods were kept."""
        rng = random.Random(self.seed * 49979687 + 13)
        customer_of = {o.order_id: o.customer.customer_id for o in self.orders}
        first_seen: dict[str, str] = {}
        methods: dict[tuple[str, str, str], str] = {}  # (customer, brand, last4) -> method id

        def add(customer: str, kind: str, brand: str | None, last4: str | None, balance: int | None, at: str) -> str:
            method_id = f"PM-{len(pay['payment_methods']) + 1:06d}"
            pay["payment_methods"].append(
                {"payment_method_id": method_id, "customer_id": customer, "kind": kind, "brand": brand,
                 "last4": last4, "balance_cents": balance, "added_at": at}
            )  # fmt: skip
            return method_id

        for auth in pay["authorizations"]:
            customer = customer_of[auth["order_id"]]
            first_seen.setdefault(customer, auth["authorized_at"])
            key = (customer, auth["card_brand"], auth["card_last4"])
            if key not in methods:
                methods[key] = add(customer, "card", key[1], key[2], None, auth["authorized_at"])
            pay["order_payers"].append(
                {"order_id": auth["order_id"], "customer_id": customer, "authorization_id": auth["authorization_id"]}
            )
            pay["authorization_methods"].append(
                {"authorization_id": auth["authorization_id"], "payment_method_id": methods[key]}
            )
        for customer, at in first_seen.items():
            if rng.random() < 0.25:
                add(customer, "paypal", None, None, None, at)
            if rng.random() < 0.35:
                add(customer, "gift_card", None, f"{rng.randint(0, 9999):04d}", rng.randint(0, 300) * 100, at)

    def shipping_rows(self, ship: dict[str, list[dict[str, Any]]]) -> None:
        rng = random.Random(self.seed * 32452843 + 7)
        n = 0
        for o in self.orders:
            result = validate(o.ship_to)
            ship["order_addresses"].append(
                {
                    "order_id": o.order_id,
                    **o.ship_to.model_dump(exclude={"fingerprint"}),
                    "validation_status": result.status,
                    "issues": json.dumps(result.issues),
                    "suggestion": result.suggestion.model_dump_json(exclude={"fingerprint"})
                    if result.suggestion
                    else None,
                    "validated_at": to_ts(o.placed_at + timedelta(seconds=40)),
                    "corrected_from": None,
                }
            )
            if o.shipped_at is None:
                continue
            n += 1
            carrier, service = rng.choice(CARRIERS)
            shipment_id = f"SHP-{n:06d}"
            origin = dict((loc[0], f"{loc[2]}, {loc[3]}") for loc in LOCATIONS)[o.locations[0]]
            ship["shipments"].append(
                {
                    "shipment_id": shipment_id,
                    "order_id": o.order_id,
                    "carrier": carrier,
                    "service": service,
                    "tracking_number": f"1Z{rng.randint(10**11, 10**12 - 1)}",
                    "status": "delivered" if o.delivered_at else "in_transit",
                    "from_location": o.locations[0],
                    "shipped_at": to_ts(o.shipped_at),
                    "delivered_at": to_ts(o.delivered_at) if o.delivered_at else None,
                }
            )
            steps = [(o.shipped_at, "picked_up", origin)]
            end = o.delivered_at or self.now
            steps.append((o.shipped_at + (end - o.shipped_at) * 0.5, "in_transit", "Regional hub"))
            if o.delivered_at:
                steps.append((o.delivered_at, "delivered", f"{o.ship_to.city}, {o.ship_to.region}"))
            for seq, (at, status, where) in enumerate(steps, start=1):
                ship["tracking_events"].append(
                    {"shipment_id": shipment_id, "seq": seq, "at": to_ts(at), "status": status, "location": where}
                )


def generate(orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The rows of a deterministic book: ``{system: {table: [row, ...]}}``."""
    gen = Generator(orders, seed)
    gen.build()
    return gen.rows()


def story_order_id(home: Path | None = None) -> str | None:
    """The flagship story's order in the book under ``home``: a 5-year customer who moved 14 days ago, in payment
    review for a new shipping address only, with the last unit in stock pending reservation."""
    return book_meta("erp", "story_order_id", home)


def seed_book(orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED, home: Path | None = None) -> Path:
    """Generate a book and replace the sandbox under ``home`` with it; returns the sandbox directory."""
    return write_book(generate(orders, seed), home)


BOOK = Book("commerce", "orders", DEFAULT_ORDERS, generate, mission="order-exception", story=story_order_id)
