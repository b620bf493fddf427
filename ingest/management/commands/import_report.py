"""`python manage.py import_report PATH [PATH ...] [--vendor-code CODE] [--brand NAME] [--sync] [--json]`.

ARCHITECTURE.md "Command-line contract": the format is detected from each file's content; `--sync` runs
the imports in this process; `--json` prints one JSON object per file
(`{"file", "status", "report_type", "rows", "errors", ...}`); the exit status is 0 only when every file
succeeded (or, without --sync, was queued).

Co-op files (invoice lists, backup reports, remittances) have no public format and cannot be detected:
`--coop-kind INVOICES|BACKUP|REMITTANCES` (with `--vendor-code`) says what they are, and the importer
the coop app registered for that source runs them with the vendor code's saved column mapping.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from core.exceptions import ApplicationError
from ingest.models import ReportImport
from ingest.services import report_import_create
from ingest.services import report_import_run
from planning.models import Brand
from planning.models import VendorCode

# Errors printed per file with --json; the import record keeps up to 1,000 and the total count.
JSON_ERRORS = 100
# --coop-kind -> the ReportImport source whose registered importer (coop's) runs the file.
COOP_KIND_SOURCES = {
    "INVOICES": ReportImport.Source.COOP_INVOICE_FILE,
    "BACKUP": ReportImport.Source.COOP_BACKUP_FILE,
    "REMITTANCES": ReportImport.Source.REMITTANCE_FILE,
}


class Command(BaseCommand):
    help = (
        "Import Amazon report files of any supported format (detected from content). Exit status 0 only when "
        "every file succeeded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="report files (gzip or not)")
        parser.add_argument(
            "--vendor-code",
            help="vendor code the files belong to; required when a file does not name one (SP-API retail reports)",
        )
        parser.add_argument("--brand", help="brand name; derived from --vendor-code when omitted")
        parser.add_argument(
            "--marketplace", help="Amazon marketplace id, only needed when the vendor code exists in several"
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="what a file does not say itself, e.g. --option profile_id=123 --option marketplace_id=ATVPDKIKX0DER "
            "for Amazon Ads report bodies (repeatable)",
        )
        parser.add_argument(
            "--coop-kind",
            choices=sorted(COOP_KIND_SOURCES),
            help="the files are co-op files of this kind (not detectable from content); needs --vendor-code, "
            "whose saved column mapping is used",
        )
        parser.add_argument("--sync", action="store_true", help="run the imports in this process")
        parser.add_argument("--json", action="store_true", help="print one JSON object per file")

    def handle(self, *args: Any, **options: Any) -> None:
        brand, vendor_code = _resolve(options.get("brand"), options.get("vendor_code"), options.get("marketplace"))
        import_options = _parse_options(options["option"])
        source = ""
        if options.get("coop_kind"):
            if vendor_code is None:
                raise CommandError("--coop-kind needs --vendor-code: co-op files are mapped per vendor code.")
            source = COOP_KIND_SOURCES[options["coop_kind"]]
        all_ok = True
        for raw_path in options["paths"]:
            outcome = self._import_one(
                Path(raw_path), brand, vendor_code, import_options, source=source, sync=options["sync"]
            )
            ok = outcome["status"] == ReportImport.Status.SUCCEEDED or (
                not options["sync"] and outcome["status"] in (ReportImport.Status.PENDING, ReportImport.Status.RUNNING)
            )
            all_ok = all_ok and ok
            if options["json"]:
                self.stdout.write(json.dumps(outcome, default=str))
            else:
                self.stdout.write(_human(outcome, ok), self.style.SUCCESS if ok else self.style.ERROR)
        if not all_ok:
            sys.exit(1)

    def _import_one(
        self,
        path: Path,
        brand: Brand,
        vendor_code: VendorCode | None,
        import_options: dict[str, str],
        *,
        source: str,
        sync: bool,
    ) -> dict[str, Any]:
        if not path.is_file():
            return _refused(path, f"no such file: {path}")
        try:
            report_import = report_import_create(
                brand=brand,
                path=path,
                vendor_code=vendor_code,
                options=import_options,
                source=source,
                enqueue=not sync,
            )
        except ApplicationError as exc:
            return _refused(path, exc.message)
        if sync:
            report_import_run(report_import.pk)
        report_import.refresh_from_db()
        return _outcome(path, report_import)


def _parse_options(pairs: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--option expects KEY=VALUE, got {pair!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def _resolve(brand_name: str | None, code: str | None, marketplace_id: str | None) -> tuple[Brand, VendorCode | None]:
    brand: Brand | None = None
    if brand_name:
        brand = Brand.objects.filter(name__iexact=brand_name).first()
        if brand is None:
            known = ", ".join(Brand.objects.values_list("name", flat=True)[:20]) or "none yet"
            raise CommandError(f"Unknown brand {brand_name!r}. Known brands: {known}.")
    vendor_code: VendorCode | None = None
    if code:
        candidates = VendorCode.objects.select_related("brand", "marketplace").filter(code=code)
        if brand is not None:
            candidates = candidates.filter(brand=brand)
        if marketplace_id:
            candidates = candidates.filter(marketplace__amazon_marketplace_id=marketplace_id)
        found = list(candidates[:5])
        if not found:
            where = f" for {brand.name}" if brand else ""
            raise CommandError(
                f"Unknown vendor code {code!r}{where}. Register it first: "
                f"python manage.py add_vendor_code {code} --brand NAME --marketplace MARKETPLACE_ID"
            )
        if len(found) > 1:
            places = ", ".join(f"{v.marketplace.amazon_marketplace_id} ({v.brand.name})" for v in found)
            raise CommandError(f"Vendor code {code!r} exists in several marketplaces: {places}. Add --marketplace.")
        vendor_code = found[0]
        brand = brand or vendor_code.brand
    if brand is None:
        brands = list(Brand.objects.all()[:2])
        if len(brands) != 1:
            raise CommandError("Say which brand the files belong to: --brand NAME or --vendor-code CODE.")
        brand = brands[0]
    return brand, vendor_code


def _outcome(path: Path, report_import: ReportImport) -> dict[str, Any]:
    return {
        "file": str(path),
        "import_id": report_import.pk,
        "status": report_import.status,
        "report_type": report_import.report_type,
        "rows": report_import.rows_total,
        "inserted": report_import.rows_inserted,
        "updated": report_import.rows_updated,
        "unchanged": report_import.rows_unchanged,
        "deleted": report_import.rows_deleted,
        "identical_to": report_import.identical_to_id,
        "message": report_import.message,
        "needs_input": bool((report_import.options or {}).get("needs_input")),
        "action_url": (report_import.options or {}).get("action_url", ""),
        "error_count": report_import.error_count,
        "errors": list(report_import.errors or [])[:JSON_ERRORS],
    }


def _refused(path: Path, message: str) -> dict[str, Any]:
    return {
        "file": str(path),
        "import_id": None,
        "status": ReportImport.Status.FAILED,
        "report_type": "",
        "rows": 0,
        "message": message,
        "error_count": 1,
        "errors": [{"file": path.name, "row": None, "column": None, "value": None, "expected": message}],
    }


def _human(outcome: dict[str, Any], ok: bool) -> str:
    mark = "ok  " if ok else "FAIL"
    ident = f"#{outcome['import_id']} " if outcome.get("import_id") else ""
    kind = f" {outcome['report_type']}" if outcome.get("report_type") else ""
    line = f"{mark} {ident}{outcome['file']}: {outcome['status']}{kind}"
    if outcome.get("message"):
        line += f" - {outcome['message']}"
    extra = []
    if not ok:
        for error in outcome.get("errors", [])[:10]:
            extra.append(
                f"  {error.get('file')} row {error.get('row')} column {error.get('column')}: "
                f"{error.get('value')!r}, expected {error.get('expected')}"
            )
    return "\n".join([line, *extra])
