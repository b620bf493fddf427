from __future__ import annotations

from importlib.util import find_spec

from django.apps import AppConfig


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = "Co-op and promotions"

    def ready(self) -> None:
        from coop.demo import seed_coop_demo
        from coop.listeners import on_facts_changed
        from ingest.listeners import register_listener
        from planning.demo import register_demo_seeder

        register_listener("coop.accruals", on_facts_changed)
        # After the plans (10) and the facts, so accruals are computed from what was seeded.
        register_demo_seeder("coop.money", seed_coop_demo, order=40)
        if find_spec("coop.promotion_demo") is not None:
            from coop.promotion_demo import seed_promotions_demo

            register_demo_seeder("coop.promotions", seed_promotions_demo, order=50)
