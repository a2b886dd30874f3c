"""In-app notifications (and their e-mail copy) for staff.

``notify`` sits below ``cases`` in the domain layers (design.md 2), so a notification points at
what it is about through a generic relation (a case today, a pact later), never a case FK.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("penerima"), on_delete=models.CASCADE, related_name="notifications"
    )
    # Stable codes the faces may style or filter on, e.g. "case.assigned", "deadline.reminder".
    kind = models.CharField(_("jenis"), max_length=50)
    text = models.TextField(_("isi"))
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("dikirim lewat e-mail"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["content_type", "object_id"], name="notification_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"

    @property
    def case_id(self) -> int | None:
        """The id of the case this is about (None when it is about something else)."""
        content_type = self.content_type if self.content_type_id else None
        if content_type is not None and content_type.app_label == "cases" and content_type.model == "case":
            return int(self.object_id)
        return None
