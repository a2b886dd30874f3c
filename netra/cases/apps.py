from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "netra.cases"
    verbose_name = _("Kasus")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from netra.cases.models import Transition

        post_save.connect(_case_opened, sender=Transition, dispatch_uid="netra.cases.archive")


def _case_opened(sender, instance, created, **kwargs) -> None:
    # The first Transition (from nothing to "received") is sent when a case opens (netra.cases.opening);
    # its links are archived by the worker after the commit, never in the intake request.
    if created and not instance.from_state:
        from django.conf import settings
        from django.db import transaction

        if settings.NETRA_LINK_ARCHIVE_ENABLED:
            from netra.cases import archive

            case_id = instance.case_id
            transaction.on_commit(lambda: archive.on_case_opened(case_id), robust=True)
