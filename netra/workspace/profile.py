"""Signer details of staff accounts (issue #16 item 2): "Profil saya" for everyone in the
workspace, and the same form for an agency admin from the people page.

The rule is ``netra.orgs.signers.may_edit_profile``: a person outside the admin's agencies (or a
superuser, for an agency admin) answers 404, like everything outside a scope.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from netra.orgs.access import staff_required
from netra.orgs.models import User
from netra.orgs.signers import PROFILE_FIELDS, ProfileError, may_edit_profile, profile_update, signer_missing


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        labels = {
            "first_name": gettext_lazy("Nama depan"),
            "last_name": gettext_lazy("Nama belakang (dengan gelar)"),
            "nip": gettext_lazy("NIP"),
            "pangkat_golongan": gettext_lazy("Pangkat/golongan"),
            "jabatan": gettext_lazy("Jabatan"),
        }


def _edit(request, person: User, *, own: bool):
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=request.user, user=person, data=form.cleaned_data)
        except ProfileError as error:
            if error.code == "not_found":
                raise Http404 from None
            for name, problems in error.fields.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("Profil %(name)s disimpan.") % {"name": person.username})
            return redirect("workspace:profile") if own else redirect("workspace:people_profile", pk=person.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "person": person, "own": own, "missing": signer_missing(User.objects.get(pk=person.pk))}
    return render(request, "workspace/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def my_profile(request):
    return _edit(request, request.user, own=True)


@require_http_methods(["GET", "POST"])
@staff_required
def person_profile(request, pk: int):
    person = get_object_or_404(User, pk=pk, is_active=True)
    if person.pk == request.user.pk:
        return redirect("workspace:profile")
    if not may_edit_profile(request.user, person):
        raise Http404
    return _edit(request, person, own=False)
