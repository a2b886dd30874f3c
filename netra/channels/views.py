"""The inbound webhooks (``/kanal/…``): anyone may POST, only a valid provider signature is accepted.

Thin: the adapter verifies and parses, ``netra.channels.chat`` does the rest. Answers say
nothing but ok / refused; nothing of the request is logged.
"""

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from netra.channels import adapters, chat

MAX_BODY = 256 * 1024


def _body(request) -> bytes | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > MAX_BODY:
        return None
    return request.body


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request):
    if request.method == "GET":
        challenge = adapters.whatsapp_handshake(request.GET)
        if challenge is None:
            return HttpResponseForbidden()
        return HttpResponse(challenge, content_type="text/plain")
    body = _body(request)
    try:
        messages = adapters.whatsapp_messages(body or b"", request.headers.get("X-Hub-Signature-256", ""))
    except adapters.Refused:
        return HttpResponseForbidden()
    for message in messages:
        chat.process(message, adapters.whatsapp_media)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_http_methods(["POST"])
def sms(request):
    body = _body(request)
    try:
        messages = adapters.sms_messages(body or b"", request.headers.get("X-Netra-Signature", ""))
    except adapters.Refused:
        return HttpResponseForbidden()
    for message in messages:
        chat.process(message, adapters.no_media)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_http_methods(["POST"])
def twilio(request):
    """Twilio's SMS webhook: form-encoded, signed; answered with an empty TwiML document."""
    if _body(request) is None:
        return HttpResponseForbidden()
    try:
        messages = adapters.twilio_messages(
            request.META.get("QUERY_STRING", ""), request.POST, request.headers.get("X-Twilio-Signature", "")
        )
    except adapters.Refused:
        return HttpResponseForbidden()
    for message in messages:
        chat.process(message, adapters.twilio_media)
    return HttpResponse(adapters.TWIML_EMPTY, content_type="text/xml")
