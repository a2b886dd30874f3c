"""Numbers the Indonesian way: 1.234 and 12,5 % (whatever the page language, as BPS publishes)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def angka(value):
    if value is None:
        return _("disembunyikan")
    return f"{int(value):,}".replace(",", ".")


@register.filter
def persen(value):
    if value is None:
        return "\u2013"
    return f"{float(value):.1f}".replace(".", ",") + " %"


@register.filter
def desimal(value):
    if value is None:
        return "\u2013"
    return f"{float(value):.1f}".replace(".", ",")
