"""Views of the portal shell: home page, logging out, health and error pages."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from assessments import selectors
from portal.health import check_broker, check_database


@require_safe
@never_cache
def healthz(request):
    database = check_database()
    broker = check_broker()
    healthy = database["ok"] and broker["ok"]
    body = {"status": "ok" if healthy else "error", "database": database}
    body["broker"] = broker
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@require_GET
def home(request):
    context = {
        "memberships": selectors.memberships_of(request.user),
        "assessments": selectors.member_assessments(request.user),
        "granted": selectors.granted_assessments(request.user),
    }
    return render(request, "portal/home.html", context)


class LogoutView(auth_views.LogoutView):
    """Log out on POST; on GET, ask first with a button that posts."""

    # Logging out changes state, so only the POST does it; a GET, such as a
    # typed or bookmarked address, gets the question instead of a blank 405.
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "registration/logout_confirm.html")


def csrf_failure(request, reason=""):
    """Explain a form refused for its security token, inside the portal's page.

    It happens to a page opened before the person logged in again, or
    before their session ended, in another tab. Django's own page speaks of
    CSRF, in part in English; this one says what to do. The reason is in
    the log, not on the page.
    """
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


def server_error(request):
    """Answer a request that failed on the server, as JSON under the API.

    The page renders without the database, which may be what failed: no
    header with the person's name, only the portal's style.
    """
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "server_error",
                "message": _(
                    "The server could not answer this request; the error was "
                    "recorded. Try again in a moment."
                ),
            },
            status=500,
        )
    return render(request, "500.html", status=500)
