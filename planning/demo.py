"""Demo data: the catalog part of `seed_demo`, and the registry through which higher apps add theirs.

Everything is derived from a seeded random generator and written with update_or_create on natural
keys, so running it twice gives the same rows and the same counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from planning.models import Brand
from planning.models import CostPriceHistory
from planning.models import Marketplace
from planning.models import Membership
from planning.models import Product
from planning.models import VendorCode
from planning.validators import gtin_check_digit

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
PRODUCTS_PER_BRAND = 200


@dataclass(frozen=True)
class BrandSpec:
    name: str
    legal_entity: str
    currency: str
    gtin_prefix: str  # a GS1 company prefix shape; digits only
    vendor_codes: dict[str, str]  # marketplace id -> vendor code
    categories: dict[str, list[tuple[str, list[str], tuple[int, int]]]]
    # category -> [(subcategory, product nouns, (min cost, max cost))]


DEMO_BRANDS: list[BrandSpec] = [
    BrandSpec(
        name="Acme Audio",
        legal_entity="Acme Audio Inc.",
        currency="USD",
        gtin_prefix="0840012",
        vendor_codes={US: "ACMEU", DE: "ACMED"},
        categories={
            "Headphones": [
                ("Over-ear", ["Wireless Over-Ear Headphones", "Studio Monitor Headphones"], (28, 95)),
                ("In-ear", ["True Wireless Earbuds", "Sport Earbuds", "Noise Cancelling Earbuds"], (14, 70)),
            ],
            "Speakers": [
                ("Portable", ["Portable Bluetooth Speaker", "Waterproof Shower Speaker"], (12, 60)),
                ("Home audio", ["Soundbar", "Bookshelf Speakers (Pair)", "Smart Speaker"], (40, 180)),
            ],
            "Chargers & Cables": [
                (
                    "Chargers",
                    ["65W USB-C GaN Charger", "3-in-1 Wireless Charging Stand", "Car Charger"],
                    (6, 32),
                ),
                ("Cables", ["Braided USB-C Cable 2m", "Lightning to USB-C Cable", "HDMI 2.1 Cable"], (3, 14)),
            ],
            "Computer Accessories": [
                ("Input", ["Mechanical Keyboard", "Wireless Ergonomic Mouse", "Webcam 1080p"], (11, 75)),
                ("Hubs", ["7-in-1 USB-C Hub", "Laptop Docking Station"], (16, 90)),
            ],
            "Smart Home": [
                (
                    "Plugs & lighting",
                    ["Smart Plug (4-Pack)", "Wi-Fi LED Bulb (2-Pack)", "Smart Light Strip 5m"],
                    (7, 35),
                ),
            ],
        },
    ),
    BrandSpec(
        name="Verdant Home",
        legal_entity="Verdant Home & Garden GmbH",
        currency="EUR",
        gtin_prefix="4260431",
        vendor_codes={US: "VERDU", DE: "VERDD"},
        categories={
            "Garden Tools": [
                (
                    "Hand tools",
                    ["Pruning Shears", "Garden Trowel Set", "Hedge Shears", "Weeding Fork"],
                    (5, 28),
                ),
                (
                    "Power tools",
                    ["Cordless Leaf Blower", "Cordless Grass Trimmer", "Electric Tiller"],
                    (35, 160),
                ),
            ],
            "Planters": [
                ("Indoor", ["Self-Watering Planter", "Ceramic Plant Pot Set", "Hanging Planter"], (6, 40)),
                ("Outdoor", ["Raised Garden Bed", "Large Fiberstone Planter"], (18, 95)),
            ],
            "Outdoor Lighting": [
                (
                    "Solar",
                    ["Solar Pathway Lights (8-Pack)", "Solar String Lights 15m", "Solar Wall Lantern"],
                    (8, 38),
                ),
            ],
            "Watering": [
                ("Hoses", ["Expandable Garden Hose 30m", "Hose Reel Cart", "Soaker Hose"], (9, 55)),
                (
                    "Irrigation",
                    ["Drip Irrigation Kit", "Smart Water Timer", "Oscillating Sprinkler"],
                    (7, 48),
                ),
            ],
            "Kitchen Storage": [
                (
                    "Containers",
                    ["Glass Food Storage Set", "Airtight Pantry Containers", "Bamboo Bread Bin"],
                    (9, 45),
                ),
            ],
        },
    ),
]

COLORS = ["Black", "White", "Graphite", "Sand", "Forest Green", "Slate Blue", "Terracotta", "Silver"]
SERIES = ["Pro", "Lite", "Max", "Classic", "Eco", "Plus", "Air", "Flex", "One", "Studio"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    brands: tuple[str, ...]


DEMO_USERS: list[DemoUser] = [
    DemoUser("brand.manager", Membership.Role.BRAND_MANAGER, ("Acme Audio", "Verdant Home")),
    DemoUser("brand.reviewer", Membership.Role.BRAND_MANAGER, ("Acme Audio", "Verdant Home")),
    DemoUser("vendor.ops", Membership.Role.VENDOR_OPS, ("Acme Audio", "Verdant Home")),
    DemoUser("finance", Membership.Role.FINANCE, ("Acme Audio", "Verdant Home")),
    DemoUser("finance.approver", Membership.Role.FINANCE_APPROVER, ("Acme Audio", "Verdant Home")),
    DemoUser("finance.approver2", Membership.Role.FINANCE_APPROVER, ("Acme Audio", "Verdant Home")),
    DemoUser("viewer", Membership.Role.VIEWER, ("Acme Audio",)),
]
DEMO_ADMIN = "admin"


@dataclass
class DemoContext:
    """What the catalog seeding made, handed to the seeders of higher apps."""

    seed: int
    today: date
    password: str
    brands: dict[str, Brand] = field(default_factory=dict)
    vendor_codes: dict[tuple[str, str], VendorCode] = field(default_factory=dict)  # (brand, mkt id)
    users: dict[str, AbstractUser] = field(default_factory=dict)
    log: Callable[[str], None] = print

    def rng(self, salt: str) -> random.Random:
        """A generator per purpose, so adding a seeder never changes what another one produces."""
        return random.Random(f"{self.seed}:{salt}")


DemoSeeder = Callable[[DemoContext], None]
_seeders: dict[str, tuple[int, DemoSeeder]] = {}


def register_demo_seeder(name: str, seeder: DemoSeeder, *, order: int) -> None:
    """Higher apps add their demo data from AppConfig.ready(); lower `order` runs first."""
    _seeders[name] = (order, seeder)


def registered_demo_seeders() -> list[tuple[str, DemoSeeder]]:
    return [(name, fn) for name, (_, fn) in sorted(_seeders.items(), key=lambda item: (item[1][0], item[0]))]


def _gtin(prefix: str, number: int) -> str:
    body = f"{prefix}{number:05d}"[:12]
    return body + str(gtin_check_digit(body))


def _asin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "B0" + "".join(rng.choice(alphabet) for _ in range(8))


@transaction.atomic
def seed_catalog(ctx: DemoContext) -> None:
    """Brands, vendor codes, ~200 products per brand with cost history, and one user per role."""
    for spec in DEMO_BRANDS:
        brand, _ = Brand.objects.update_or_create(
            name=spec.name, defaults={"legal_entity": spec.legal_entity, "default_currency": spec.currency}
        )
        ctx.brands[spec.name] = brand
        for marketplace_id, code in spec.vendor_codes.items():
            marketplace = Marketplace.objects.get(amazon_marketplace_id=marketplace_id)
            vendor_code, _ = VendorCode.objects.update_or_create(
                marketplace=marketplace,
                code=code,
                defaults={
                    "brand": brand,
                    "freight_terms": VendorCode.FreightTerms.COLLECT,
                    "payment_terms_days": 90 if marketplace_id == US else 60,
                    "settlement_discount_pct": Decimal("0.02"),
                },
            )
            ctx.vendor_codes[(spec.name, marketplace_id)] = vendor_code
        _seed_products(ctx, spec, brand)
    _seed_users(ctx)


def _seed_products(ctx: DemoContext, spec: BrandSpec, brand: Brand) -> None:
    rng = ctx.rng(f"catalog:{spec.name}")
    lines = [
        (category, subcategory, noun, cost_range)
        for category, subs in spec.categories.items()
        for subcategory, nouns, cost_range in subs
        for noun in nouns
    ]
    seen_asins: set[str] = set()
    for number in range(PRODUCTS_PER_BRAND):
        category, subcategory, noun, (low, high) = lines[number % len(lines)]
        asin = _asin(rng)
        while asin in seen_asins:
            asin = _asin(rng)
        seen_asins.add(asin)
        # Most of the catalogue is in the US; every third ASIN is also listed in Germany.
        marketplace_id = US if number % 3 else DE
        vendor_code = ctx.vendor_codes[(spec.name, marketplace_id)]
        cost = Decimal(rng.uniform(low, high)).quantize(Decimal("0.01"))
        title = f"{spec.name} {rng.choice(SERIES)} {noun}, {rng.choice(COLORS)}"
        lifecycle = rng.choices(
            [Product.Lifecycle.CORE, Product.Lifecycle.LAUNCH, Product.Lifecycle.EXIT], weights=[80, 12, 8]
        )[0]
        product, _ = Product.objects.update_or_create(
            marketplace=vendor_code.marketplace,
            asin=asin,
            defaults={
                "brand": brand,
                "vendor_code": vendor_code,
                "title": title,
                "category": category,
                "subcategory": subcategory,
                "gtin": _gtin(spec.gtin_prefix, number),
                "cost_price": cost,
                "currency": vendor_code.marketplace.currency,
                "lifecycle": lifecycle,
                "aplus_content": rng.random() < 0.7,
                "video_on_detail_page": rng.random() < 0.4,
                "content_score": rng.randint(35, 98),
                "content_updated_at": ctx.today.replace(day=1)
                if rng.random() < 0.5
                else date(ctx.today.year - 1, 3, 1),
            },
        )
        # Two cost changes in the past: the older, higher cost makes price-protection cases real.
        old_cost = (cost * Decimal("1.08")).quantize(Decimal("0.01"))
        for effective_from, value in (
            (date(ctx.today.year - 2, 1, 1), old_cost),
            (date(ctx.today.year - 1, 7, 1), cost),
        ):
            CostPriceHistory.objects.update_or_create(
                product=product,
                effective_from=effective_from,
                defaults={"cost": value, "currency": product.currency},
            )


def _seed_users(ctx: DemoContext) -> None:
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username, defaults={"email": f"{demo.username}@example.com"}
        )
        if created or not user.check_password(ctx.password):
            user.set_password(ctx.password)
            user.save()
        for brand_name in demo.brands:
            Membership.objects.get_or_create(user=user, brand=ctx.brands[brand_name], role=demo.role)
        ctx.users[demo.username] = user
    admin, created = user_model.objects.get_or_create(
        username=DEMO_ADMIN, defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True}
    )
    if created or not admin.check_password(ctx.password):
        admin.set_password(ctx.password)
        admin.save()
    ctx.users[DEMO_ADMIN] = admin
