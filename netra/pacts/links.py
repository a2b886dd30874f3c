"""The token of an OPD's signing link (#11): ``<campaign>-<unit or 0>-<HMAC>``, so campaign and unit
cannot be made up (and the link's QR code stays small). Made by the workspace (the link and its QR
on the campaign page), read by the portal's signing page; here, below both faces."""

import hashlib
import hmac

from django.conf import settings

from netra.pacts.models import PactCampaign

LINK_SALT = "netra.pacts.sign-link"


def _link_mac(campaign_id: int, unit_id: int) -> str:
    key = hashlib.sha256(f"{LINK_SALT}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{campaign_id}-{unit_id}".encode(), hashlib.sha256).hexdigest()[:20]


def sign_link_token(campaign: PactCampaign, unit_id: int | None = None) -> str:
    return f"{campaign.pk}-{unit_id or 0}-{_link_mac(campaign.pk, unit_id or 0)}"


def campaign_from_token(token: str) -> tuple[PactCampaign, int | None]:
    """The campaign and unit of a signing link; ``PactCampaign.DoesNotExist`` for a made-up token."""
    try:
        campaign_text, unit_text, mac = token.split("-")
        campaign_id, unit_id = int(campaign_text), int(unit_text)
    except (ValueError, TypeError):
        raise PactCampaign.DoesNotExist(token) from None
    if not hmac.compare_digest(mac, _link_mac(campaign_id, unit_id)):
        raise PactCampaign.DoesNotExist(token)
    return PactCampaign.objects.select_related("agency").get(pk=campaign_id), (unit_id or None)
