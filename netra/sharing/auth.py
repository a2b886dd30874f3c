"""Bearer-token authentication of the agency API, with what every call goes through first.

In order, before the request body is even read: the body size limit (413), the token (401 for a
missing, malformed, unknown or revoked token — one answer for all), the per-token rate limit
(429), the audit entry naming the token, and the cheap ``last_used_at`` update.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from netra.audit.services import record
from netra.ratelimit import RateLimited, get_usage, limits  # get_usage fails open when Redis is down
from netra.sharing.tokens import find_token, touch

# Per token; override with NETRA_RATE_LIMITS="agency_read=…,agency_write=…".
DEFAULT_TOKEN_LIMITS = {"agency_read": "600/m", "agency_write": "120/m"}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _token_rate(request, token) -> None:
    configured = limits()
    if configured is None:
        return
    group = "agency_read" if request.method in SAFE_METHODS else "agency_write"
    rate = configured.get(group, DEFAULT_TOKEN_LIMITS[group])
    usage = get_usage(
        request, group=f"netra.{group}", key=lambda _g, _r: f"token:{token.pk}", rate=rate, increment=True
    )
    if usage is not None and usage["should_limit"]:
        raise RateLimited(max(1, int(usage["time_left"])))


def _body_size(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.NETRA_API_MAX_BODY_BYTES:
        raise HttpError(
            413,
            _("Isi permintaan terlalu besar: paling banyak %(max)d KB.")
            % {"max": settings.NETRA_API_MAX_BODY_BYTES // 1024},
        )


def unauthorized() -> HttpError:
    return HttpError(401, _("Token API tidak ada, tidak valid, atau sudah dicabut."))


class TokenAuth(HttpBearer):
    def __call__(self, request):
        _body_size(request)
        token = super().__call__(request)
        if token is None:
            raise unauthorized()
        return token

    def authenticate(self, request, token: str):
        found = find_token(token)
        if found is None:
            raise unauthorized()
        _token_rate(request, found)
        # Every call, named by the token (never by address or user agent: design.md 4).
        record(found, "api.request", agency=found.agency_id, method=request.method, path=request.path)
        touch(found)
        return found
