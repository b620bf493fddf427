from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and alerts"

    def ready(self) -> None:
        from ingest.listeners import register_listener
        from planning.demo import register_demo_seeder
        from planning.jbp_actuals import register_actuals_provider
        from reviews.actuals import rollup_actuals
        from reviews.demo import seed_reviews_demo
        from reviews.listeners import on_facts_changed

        # Imports announce changed facts; the rollups of the touched weeks and months are recomputed
        # by one debounced task (reviews.listeners).
        register_listener("reviews.rollups", on_facts_changed)
        # JBP attainment on the plan pages reads its actuals from the monthly rollups.
        register_actuals_provider(rollup_actuals)
        # After the facts seeders (ingest) and the money seeders (coop): rollups, then the demo reviews.
        register_demo_seeder("reviews", seed_reviews_demo, order=90)

        # Alerts: evaluated after imports and rollups (listener and hook), and on Celery beat.
        from reviews.alert_demo import seed_alerts_demo
        from reviews.alert_tasks import connect_alerts

        connect_alerts()
        from reviews.alert_selectors import open_alerts_for_mbr_page
        from reviews.mbr_hooks import register_open_alerts

        register_open_alerts(open_alerts_for_mbr_page)
        # Cached live MBR pages get a new version when co-op, promotion, plan, catalog or alert rows change.
        from reviews.mbr_cache import connect_mbr_cache

        connect_mbr_cache()
        register_demo_seeder("alerts", seed_alerts_demo, order=95)
