from __future__ import annotations

from django.apps import AppConfig


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = "Co-op and promotions"

    def ready(self) -> None:
        from coop.demo import seed_coop_demo
        from coop.listeners import on_facts_changed
        from coop.models.imports import SOURCE_BY_KIND
        from coop.promotion_demo import seed_promotions_demo
        from coop.promotion_listeners import on_facts_changed as on_promotion_facts_changed
        from coop.services.imports import coop_file_import
        from coop.services.imports import coop_file_import_finished
        from coop.services.invoices import RECORD_ROLES
        from ingest.file_importers import register_file_importer
        from ingest.listeners import register_listener
        from planning.demo import register_demo_seeder

        # Co-op invoice lists, backup reports and remittance files run through ingest's pipeline; who may
        # upload and re-run them is co-op's rule (the roles that record invoices), not ingest's.
        for source in SOURCE_BY_KIND.values():
            register_file_importer(source, coop_file_import, on_finished=coop_file_import_finished, roles=RECORD_ROLES)
        register_listener("coop.accruals", on_facts_changed)
        register_listener("coop.promotions", on_promotion_facts_changed)
        # After the plans (10) and the facts (20), so accruals are computed from what was seeded.
        register_demo_seeder("co-op money", seed_coop_demo, order=30)
        register_demo_seeder("promotions", seed_promotions_demo, order=35)
