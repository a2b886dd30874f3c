"""The queue's GET filters: one parser for every face that lists cases the way the queue does.

Below the faces because two of them read the same parameters: the workspace queue
(``netra.workspace.views.home``) and the insights export of that queue
(``netra.insights.exports``), which must list exactly the queue's rows. ``filters()`` gives the
keyword arguments of ``netra.cases.selectors.cases_for``; ``describe()`` the same filters in words.
"""

from __future__ import annotations

import html
from typing import cast

from django import forms
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netra.cases import lookups, search
from netra.cases.models import Case
from netra.catalog.models import Region, ViolationGroup
from netra.orgs.models import Agency


def _status_choices():
    return [
        ("active", _("Semua yang aktif")),
        ("all", _("Semua")),
        *Case.Status.choices,
    ]


def _escaped(value) -> str:
    """``conditional_escape(value)``, the same text, without the lazy-argument check Django's
    ``escape`` makes on every call (a national region filter escapes 1 030 values a page)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def option_tags(choices, chosen: set[str], markup: str = '<option value="{}"{}>{}</option>', joiner: str = ""):
    """``<option>`` elements as Django's ``Select`` writes them, value and label escaped; those whose
    value (as a string) is in ``chosen`` marked ``selected`` (``QuickSelect``, the dashboard's filters).
    ``format_html_join``'s output, written without a ``format_html`` per option."""
    return mark_safe(  # noqa: S308 -- every value and label escaped
        _escaped(joiner).join(
            markup.format(_escaped(key), " selected" if str(key) in chosen else "", _escaped(label))
            for key, label in choices
        )
    )


class QuickSelect(forms.Select):
    """A flat ``Select`` written in Python, the same markup as Django's: its per-option template
    cost 0.1 ms an option, 51 ms for a national scope's 515 regions (load 9)."""

    # The markup, one option a line (the region filter). ``SpacedQuickSelect`` writes Django's own
    # spacing instead, byte for byte.
    option_html = '<option value="{}"{}>{}</option>'
    option_joiner = "\n"
    select_html = '<select name="{}"{}>\n{}\n</select>'

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = option_tags(self.choices, chosen, self.option_html, self.option_joiner)
        # As django/forms/widgets/attrs.html: in order, True bare, False left out.
        attributes = format_html_join(
            "",
            "{}",
            (
                (format_html(" {}", key) if val is True else format_html(' {}="{}"', key, val),)
                for key, val in final.items()
                if val is not False
            ),
        )
        return format_html(self.select_html, name, attributes, options)


class SpacedQuickSelect(QuickSelect):
    """``QuickSelect`` writing the markup of Django's ``Select`` byte for byte, each option indented
    between blank lines (the queue's other filters, the case page's recipient: a template per
    option cost 0.2 to 0.5 ms a select)."""

    option_html = '\n  <option value="{}"{}>{}</option>\n'
    option_joiner = ""
    select_html = '<select name="{}"{}>{}\n</select>'


class QueueFilterForm(forms.Form):
    """GET filters of the queue; an invalid value is dropped, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False, widget=SpacedQuickSelect)
    region = forms.ChoiceField(label=_("Wilayah"), required=False, widget=QuickSelect)
    violation = forms.ChoiceField(label=_("Jenis pelanggaran"), required=False, widget=SpacedQuickSelect)
    due = forms.ChoiceField(
        label=_("Tenggat"),
        required=False,
        widget=SpacedQuickSelect,
        choices=[
            ("", _("Semua")),
            ("overdue", _("Lewat tenggat")),
            ("due_soon", _("Segera jatuh tempo")),
            ("due", _("Lewat atau segera")),
        ],
    )
    election = forms.ChoiceField(label=_("Pemilihan"), required=False, widget=SpacedQuickSelect)
    agency = forms.ChoiceField(label=_("Instansi"), required=False, widget=SpacedQuickSelect)
    received_from = forms.DateField(
        label=_("Diterima dari"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_to = forms.DateField(
        label=_("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mine = forms.BooleanField(label=_("Ditugaskan ke saya"), required=False)
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Nomor kasus, nama, NIP, atau kata dalam laporan"), "type": "search"}
        ),
    )

    def clean_q(self) -> str:
        try:
            return search.clean(self.cleaned_data.get("q"))
        except search.SearchError as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None

    @property
    def search_refused(self) -> str:
        """Why the search text was refused ("" when it was not): the queue then lists nothing."""
        self.is_valid()
        return " ".join(str(e) for e in self.errors.get("q", []))

    def __init__(self, data=None, *, user, regions=(), agencies=()):
        """``regions`` and ``agencies``: (value, label) pairs of the user's case scope only, so an
        agency outside it is not a choice (``filters`` then matches nothing, ``refused`` says so)."""
        super().__init__(data)
        self.user = user
        # Declared as ChoiceFields above; the stubs type self.fields as plain Fields.
        cast(forms.ChoiceField, self.fields["status"]).choices = _status_choices()
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("Semua wilayah")), *regions]
        cast(forms.ChoiceField, self.fields["violation"]).choices = [
            ("", _("Semua jenis")),
            *ViolationGroup.objects.order_by("order", "code").values_list("code", "name_id"),
        ]
        # Through the per-process reference cache: an election added on the elections page shows at once.
        cast(forms.ChoiceField, self.fields["election"]).choices = [
            ("", _("Semua pemilihan")),
            *lookups.election_choices(),
        ]
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            ("", _("Semua instansi")),
            *((str(pk), name) for pk, name in agencies),
        ]

    @property
    def agency_refused(self) -> bool:
        """An agency was asked for that is not in the user's scope (or does not exist: the same answer)."""
        self.is_valid()
        return "agency" in self.errors

    def filters(self) -> dict:
        """Selector keyword arguments from the valid fields only (a bad value is ignored)."""
        self.is_valid()
        cleaned = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        status = cleaned.get("status") or "active"
        agency = cleaned.get("agency")
        return {
            "status": None if status == "all" else status,
            "region": cleaned.get("region") or None,
            "violation": cleaned.get("violation") or None,
            "due": cleaned.get("due") or None,
            "assigned_to": self.user if cleaned.get("mine") else None,
            "search": cleaned.get("q") or None,
            "election": cleaned.get("election") or None,
            # Outside the scope, or a refused search: no case at all rather than the filter dropped.
            "agency": 0 if "agency" in self.errors or "q" in self.errors else (int(agency) if agency else None),
            "received_from": cleaned.get("received_from"),
            "received_to": cleaned.get("received_to"),
        }


def region_choices(codes) -> list[tuple[str, str]]:
    """(code, name) of these regions, by code: from the per-process region table (``lookups``: no
    query within its minute; a national scope's 515 regions cost 7.5 ms as model instances)."""
    codes = {code for code in codes if code}
    found = [(code, name) for code, name, _parent, _kind in lookups.region_rows() if code in codes]
    if len(found) < len(codes):  # a region loaded since the table was read: ask the database
        return list(Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))
    return found


def agency_choices(ids) -> list[tuple[int, str]]:
    return list(Agency.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("name").values_list("pk", "name"))


def queue_filter_form(data, user) -> QueueFilterForm:
    """The queue's filter form bound to ``data`` (a GET QueryDict or a dict), its region and agency
    choices taken from the user's case scope (``selectors.scope_regions_and_agencies``, kept a minute for a big scope)."""
    from netra.cases.selectors import scope_regions_and_agencies

    pairs = scope_regions_and_agencies(user)
    return QueueFilterForm(
        data,
        user=user,
        regions=region_choices({region for region, _agency in pairs}),
        agencies=agency_choices({agency for _region, agency in pairs}),
    )


def describe(form: QueueFilterForm) -> list[tuple[str, str]]:
    """The filters that narrow the list, in words: (label, value) pairs, the state always first.

    Only valid values count (an invalid one is ignored by ``filters()`` too); an agency outside the
    scope is named as such, since it leaves the list empty.
    """
    form.is_valid()
    cleaned = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    out: list[tuple[str, str]] = []
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if name == "status":
            value = value or "active"
        if name == "agency" and "agency" in form.errors:
            out.append((str(field.label), gettext("di luar jangkauan Anda (tidak ada kasus)")))
            continue
        if value in (None, "", False):
            continue
        if isinstance(field, forms.ChoiceField):
            text = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        elif isinstance(field, forms.BooleanField):
            text = gettext("ya")
        elif isinstance(field, forms.DateField):
            text = value.strftime("%d-%m-%Y")
        else:
            text = str(value)
        out.append((str(field.label), text))
    return out
