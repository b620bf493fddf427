from __future__ import annotations

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Catalog and planning"

    def ready(self) -> None:
        from planning.demo import register_demo_seeder
        from planning.jbp_demo import seed_jbp_demo_for_context

        register_demo_seeder("JBP plans", seed_jbp_demo_for_context, order=10)
