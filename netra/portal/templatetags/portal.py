from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    """``obj.<field>_en`` when the page is in English and it is filled in, else ``obj.<field>_id``."""
    if (get_language() or "id").startswith("en"):
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, f"{field}_id", "")


@register.filter
def lines(text: str) -> list[str]:
    """Non-empty lines of a text (catalogue examples are kept one per line)."""
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]
