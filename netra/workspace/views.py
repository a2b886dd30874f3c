from django.shortcuts import render
from django.views.decorators.http import require_GET

from netra.orgs.models import Membership
from netra.workspace.access import staff_required


@require_GET
@staff_required
def home(request):
    memberships = Membership.objects.filter(user=request.user, active=True).select_related("agency")
    return render(request, "workspace/home.html", {"memberships": memberships})


@require_GET
def no_membership(request):
    return render(request, "workspace/no_membership.html", status=403)
