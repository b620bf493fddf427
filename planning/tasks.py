"""Celery tasks of the planning app: thin wrappers around services, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="planning.jbp_plans_activate_by_clock", acks_late=True)
def jbp_plans_activate_by_clock_task() -> int:
    """Daily on beat: agreed JBP plans whose period started become ACTIVE. Running it twice activates nothing
    more (the service only moves AGREED plans)."""
    from planning.services import jbp_plans_activate_by_clock

    return len(jbp_plans_activate_by_clock())
