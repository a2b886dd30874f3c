from django.utils import translation

from netra.orgs.per_request import once_per_request


class ApiLanguageMiddleware:
    """The JSON API answers in the client's Accept-Language (Indonesian by default).

    The pages carry their language in the URL (``/en/…``); LocaleMiddleware therefore pins every
    unprefixed path, ``/api/`` included, to Indonesian. API clients have no URL prefix to choose,
    so for them the header decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class OncePerRequestMiddleware:
    """Memberships, roles and case scopes computed once for the whole request (``netra.orgs.per_request``).

    Placed before the timezone middleware, ``staff_required`` and the views, so that all of them
    and the context processor share one reading; what a request changes (a membership, an agency,
    a user saved) is read again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with once_per_request():
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
