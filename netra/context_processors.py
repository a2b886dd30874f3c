from django.conf import settings


def netra(request):
    return {"DEMO_MODE": settings.DEMO_MODE}
