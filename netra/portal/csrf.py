"""CSRF failures answered in Indonesian, and the public report form given back with its values.

The CSRF cookie lasts as long as the browser session (``CSRF_COOKIE_AGE = None``), so it does not
sit on a reporter's phone for a year. A tab restored after the browser was closed then posts a
token without its cookie: instead of Django's bare 403, the report form comes back with what the
reporter wrote, the files already kept, a fresh token and a message to send it again (no JS
needed). Other forms get an explanatory page only: re-posting them for the user would let another
site drive a staff action through one click.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from netra.portal import staging
from netra.portal.forms import ReportForm


@never_cache
def csrf_failure(request, reason: str = ""):
    match = request.resolver_match
    if request.method == "POST" and match is not None and match.view_name == "portal:report_new":
        return _report_form_again(request)
    return render(request, "csrf_failure.html", status=403)


def _report_form_again(request):
    data = request.POST.copy()
    data.pop("csrfmiddlewaretoken", None)
    form = ReportForm(data)
    form.add_error(
        None,
        _(
            "Laporan belum terkirim karena halaman ini sudah lama terbuka atau cookie browser terhapus. "
            "Isian Anda masih di bawah; berkas yang baru dipilih perlu dipilih lagi. Periksa, lalu kirim lagi."
        ),
    )
    staged = staging.from_tokens(request.POST.getlist("staged"))
    return render(request, "portal/report_form.html", {"form": form, "staged": staged}, status=403)
