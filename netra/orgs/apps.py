from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "netra.orgs"
    verbose_name = _("Instansi dan pengguna")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from netra.orgs.models import Agency, Membership, User
        from netra.orgs.per_request import forget

        # Who may do what changed inside a request: what it kept is read again (netra.orgs.per_request).
        for model in (Membership, Agency, User):
            post_save.connect(forget, sender=model, dispatch_uid=f"netra-per-request-save-{model.__name__}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"netra-per-request-delete-{model.__name__}")
        m2m_changed.connect(forget, sender=Agency.covered_regions.through, dispatch_uid="netra-per-request-covered")
