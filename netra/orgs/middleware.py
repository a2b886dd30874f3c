import zoneinfo

from django.utils import timezone


def viewer_timezone(user) -> str | None:
    """The zone a signed-in user reads times in: their own choice, else their agency's region."""
    if not user.is_authenticated:
        return None
    if user.timezone:
        return user.timezone
    from netra.orgs.per_request import active_memberships  # once per request, shared with the page

    membership = next((m for m in active_memberships(user) if m.agency.region_id is not None), None)
    return membership.agency.region.timezone if membership else None


class ViewerTimezoneMiddleware:
    """Timestamps are stored in UTC and shown in WIB/WITA/WIT by the viewer's region."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = viewer_timezone(request.user)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
