"""`python manage.py seed_demo [--seed N]`: realistic demo data, idempotent (ARCHITECTURE.md contract)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandParser
from django.utils import timezone

from planning.demo import DEMO_ADMIN
from planning.demo import DEMO_USERS
from planning.demo import DemoContext
from planning.demo import registered_demo_seeders
from planning.demo import seed_catalog
from planning.models import Brand
from planning.models import Product
from planning.models import VendorCode

# A demo credential, printed on purpose; real deployments never run seed_demo.
DEFAULT_DEMO_PASSWORD = "coopdesk-demo"  # noqa: S105


class Command(BaseCommand):
    help = "Create or refresh the demo brands, catalog, users and (through the apps) plans, facts and money."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD),
            help="password for every demo user (default: $DEMO_PASSWORD or coopdesk-demo)",
        )
        parser.add_argument("--catalog-only", action="store_true", help="skip the seeders of the other apps")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = DemoContext(
            seed=options["seed"],
            today=timezone.localdate(),
            password=options["password"],
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        self.stdout.write("Seeding the catalog ...")
        seed_catalog(ctx)
        if not options["catalog_only"]:
            for name, seeder in registered_demo_seeders():
                self.stdout.write(f"Seeding {name} ...")
                seeder(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Brand.objects.count()} brands, {VendorCode.objects.count()} vendor codes, "
                f"{Product.objects.count()} products."
            )
        )
        self.stdout.write(f"Logins (password for all: {options['password']}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<20} {demo.role:<18} {', '.join(demo.brands)}")
        self.stdout.write(f"  {DEMO_ADMIN:<20} {'staff (admin site)':<18} all")
