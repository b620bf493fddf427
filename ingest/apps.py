from __future__ import annotations

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Imports"

    def ready(self) -> None:
        from ingest.demo import seed_facts_demo
        from planning.demo import register_demo_seeder

        register_demo_seeder("facts", seed_facts_demo, order=20)
