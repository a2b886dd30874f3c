from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reinstall_triggers(sender, using="default", **kwargs):
    """After every ``migrate``: on SQLite a migration that rebuilds a ``cases`` table drops the
    dashboard's dirty-marking triggers (``netra.insights.triggers``); put them back (idempotent)."""
    from django.db import connections

    from netra.insights import triggers

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"insights_dirtycase", "cases_case", *triggers.CHILDREN} <= tables:
        triggers.install(connection)


def _count_soon(sender, **kwargs):
    """After a committed move (``cases.signals.case_transitioned``): the first of each second, once
    its answer is sent, applies the pending changes to the dashboard's cube, so readers rarely
    find a backlog (writes that send no signal — bulk updates, imports — are marked all the
    same, and counted by the next reader or the scheduler's ``rebuild_insights``)."""
    from netra.insights import cube
    from netra.turns import after_response, my_turn

    if my_turn("netra.insights.cube", 1.0):
        after_response(lambda: cube.refresh(limit=cube.BACKGROUND_LIMIT, wait=False))


class InsightsConfig(AppConfig):
    name = "netra.insights"
    verbose_name = _("Statistik dan dasbor")

    def ready(self):
        from netra.cases.signals import case_transitioned

        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="netra.insights.triggers")
        case_transitioned.connect(_count_soon, dispatch_uid="netra.insights.cube")
