from __future__ import annotations

from django.apps import AppConfig


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = "Co-op and promotions"

    def ready(self) -> None:
        from coop.listeners import on_facts_changed
        from ingest.listeners import register_listener

        register_listener("coop.accruals", on_facts_changed)
