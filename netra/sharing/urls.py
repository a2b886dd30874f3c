from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.token_list, name="tokens"),
    path(_("baru/"), views.token_create, name="token_create"),
    path(_("<int:pk>/setujui/"), views.token_approve, name="token_approve"),
    path(_("<int:pk>/cabut/"), views.token_revoke, name="token_revoke"),
    path(_("webhook/<int:pk>/"), views.webhook_log, name="webhook_log"),
]
