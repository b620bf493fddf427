"""`python manage.py add_vendor_code CODE --brand NAME --marketplace ID` (ARCHITECTURE.md contract)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from core.exceptions import ApplicationError
from planning.catalog_services import vendor_code_register


class Command(BaseCommand):
    help = "Register a vendor code for a brand in a marketplace, creating the brand when missing. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="vendor code as shown in Vendor Central, e.g. ABCDE")
        parser.add_argument("--brand", required=True, help="brand name (created when missing)")
        parser.add_argument("--marketplace", required=True, help="Amazon marketplace id, e.g. ATVPDKIKX0DER")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            vendor_code, created = vendor_code_register(
                code=options["code"], brand_name=options["brand"], marketplace_id=options["marketplace"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        verb = "Created" if created else "Already registered:"
        self.stdout.write(
            f"{verb} vendor code {vendor_code.code} for {vendor_code.brand.name} "
            f"on {vendor_code.marketplace.domain} ({vendor_code.marketplace.amazon_marketplace_id})"
        )
