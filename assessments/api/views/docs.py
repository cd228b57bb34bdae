"""Finding one's way in the API: its index, the schema and docs, and the 404.

The index at /api/v1/ lists the top-level endpoints and where the schema
and docs are; an address that names no endpoint answers a JSON 404, which
says so when the same address with a slash at the end has one.

drf-spectacular's plain Swagger view writes its start-up script inline,
which the Content-Security-Policy (``script-src 'self'``) refuses. The split
view serves that script from its own address instead (``?script``), so the
page loads only same-origin scripts and the policy stays as it is. Its
template is replaced by one in the portal's layout, with its header and a
title in the user's language, and without the inline ``<style>`` block,
which ``style-src 'self'`` would refuse too.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from assessments.api.serializers.index import IndexSerializer

# The entries of the index, each with the name of the URL it gives.
INDEX = {
    "frameworks": "api:framework-list",
    "organisations": "api:organisation-list",
    "assessments": "api:assessment-list",
    "tokens": "api:token-list",
    "schema": "api-schema",
    "docs": "api-docs",
}


class IndexView(APIView):
    """List the top-level endpoints, as the root of the API."""

    @extend_schema(
        summary=gettext_lazy("List the top-level endpoints and the schema's address"),
        responses={200: IndexSerializer},
    )
    def get(self, request, *args, **kwargs):
        return Response(
            {key: reverse(name, request=request) for key, name in INDEX.items()}
        )


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the API, for signed-in callers."""

    # The title and description in the caller's language, as the summaries
    # are; the settings keep the English for ``manage.py spectacular``.
    custom_settings = {
        "TITLE": gettext_lazy("AI Model Risk Governance Maturity Portal API"),
        "DESCRIPTION": gettext_lazy(
            "Assessments against the AI Model Risk Governance Capability Maturity "
            "Model (人工智能模型风险治理能力成熟度模型): the catalogue, "
            "organisations, assessments, answers, evidence, reviews and scores. "
            "Authenticate with a personal API token: "
            "`Authorization: Token <token>`."
        ),
    }

    def _get_filename(self, request, version):
        # The title may be Chinese, which a Content-Disposition header can
        # carry only encoded; the file keeps a plain name in every language.
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"aimrg-portal-api.{suffix}"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; sign-in first."""

    template_name = "api/swagger_ui.html"
    # Signed-out visitors are sent to the login page rather than refused.
    permission_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


def _with_slash(request) -> str | None:
    """Return the request's path with a slash at the end if an endpoint has it.

    The API's own 404 stands for every other address, so Django's
    ``APPEND_SLASH``, which redirects only addresses nothing answers, never
    applies under it; and a redirect would lose the body of a write.
    """
    if request.path_info.endswith("/"):
        return None
    try:
        match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if match.func is not_found:
        return None
    return f"{request.path}/"


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Answer an address under the API that names no endpoint.

    Exempt from CSRF checks, since it changes nothing: a POST to a wrong
    address gets this JSON 404 rather than the HTML page of a CSRF failure.
    """
    with_slash = _with_slash(request)
    if with_slash is not None:
        message = _(
            "No endpoint of the API has this address. Did you mean %(address)s, "
            "with a slash at the end?"
        ) % {"address": with_slash}
    else:
        message = _(
            "No endpoint of the API has this address. The endpoints are listed "
            "at %(index)s and described at %(docs)s."
        ) % {"index": reverse("api:index"), "docs": reverse("api-docs")}
    return JsonResponse({"code": "not_found", "message": message}, status=404)
