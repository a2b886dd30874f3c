"""The OpenAPI document in the reader's language (issue #16 item 8).

The summaries and descriptions are written in Indonesian where the operations are declared; the
document is generated per request, and this wrapper passes each ``summary`` and ``description``
through gettext in the language ``LocaleMiddleware`` chose from ``Accept-Language`` (``en`` gives
the English of ``locale/en``). The texts are listed for ``makemessages`` in
``netra.openapi_texts``. Field names, paths and error codes are not touched.
"""

from typing import Any

from django.utils.translation import get_language, gettext

TRANSLATED_KEYS = frozenset({"summary", "description"})


def translate_schema(node: Any) -> Any:
    """A copy of ``node`` with every summary/description translated into the active language."""
    if isinstance(node, dict):
        return {
            key: gettext(value)
            if key in TRANSLATED_KEYS and isinstance(value, str) and value
            else translate_schema(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [translate_schema(value) for value in node]
    return node


def install(api) -> None:
    """Wrap ``api.get_openapi_schema`` (after every other wrapper) to answer in the active language."""
    generate = api.get_openapi_schema

    def get_openapi_schema(*args, **kwargs):
        schema = generate(*args, **kwargs)
        if (get_language() or "id").split("-")[0] == "id":
            return schema
        translated = translate_schema(dict(schema))
        schema.clear()
        schema.update(translated)  # keep the OpenAPISchema type the view expects
        return schema

    api.get_openapi_schema = get_openapi_schema
