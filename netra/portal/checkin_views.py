"""Self check-in at a socialisation event (issue #11 item 5), from the phone of an employee.

The employee scans the event's QR code (or types its address), enters their NIP or employee
number and the event's check-in code. Failed attempts are rate-limited per address (``checkin``:
only failures count, so a hall of people on one Wi-Fi address checks in freely while someone
guessing codes or NIPs is stopped); a wrong code, a closed event and a person not invited all get
the same answer, so the page reveals neither
which codes exist nor who is on a roster. Success shows no name either: only "recorded".
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from netra.pacts.events import event_checkin
from netra.portal.views import _too_many
from netra.ratelimit import _peek, check_rate


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode hadir kegiatan"),
        max_length=20,
        help_text=gettext_lazy("Enam huruf/angka yang ditampilkan panitia."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    identifier = forms.CharField(
        label=gettext_lazy("NIP atau nomor pegawai"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
    )


@require_http_methods(["GET", "POST"])
def checkin(request):
    if request.method == "GET":
        form = CheckinForm(initial={"code": request.GET.get("kode", "")[:20]})
        return render(request, "portal/checkin.html", {"form": form})
    if retry_after := _peek(request, "checkin"):
        return _too_many(request, retry_after)
    form = CheckinForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/checkin.html", {"form": form}, status=422)
    if event_checkin(code=form.cleaned_data["code"], identifier=form.cleaned_data["identifier"]):
        return render(request, "portal/checkin.html", {"form": CheckinForm(), "done": True})
    check_rate(request, "checkin")  # count the failure
    form.add_error(None, _("Kode hadir atau NIP/nomor pegawai tidak cocok, atau presensi sudah ditutup."))
    return render(request, "portal/checkin.html", {"form": form}, status=404)
