from django.utils import translation


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
