"""Views of the portal shell: home page and health endpoint."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import check_broker, check_database


@require_GET
@never_cache
def healthz(request):
    database = check_database()
    broker = check_broker()
    healthy = database["ok"] and broker["ok"]
    body = {"status": "ok" if healthy else "error", "database": database}
    body["broker"] = broker
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    return render(request, "portal/home.html")
