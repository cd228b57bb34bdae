"""The page on which people create and revoke their personal API tokens.

Administrators of an organisation also see, and may revoke, the tokens of
its other members. Creating a token redirects back to the page, so that
reloading it does not create another; the new secret waits in the session
for that one request and is shown once. Only its digest is kept for good.
"""

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessments.api import selectors, services
from assessments.api.models import PersonalToken
from assessments.api.throttles import TokenCreateThrottle, TokenScope
from assessments.forms import DateInput, apply_errors
from assessments.permissions import Action, can, organisations_of


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, such as “CI export”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Last day of validity"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("Leave empty for a token that does not expire."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date picker offers only the days the service accepts.
        today = timezone.localdate()
        self.fields["expires_on"].widget.attrs.update(
            min=today.isoformat(), max=services.latest_last_day(today).isoformat()
        )


# The session key under which a new token's secret waits for the redirect.
NEW_TOKEN_KEY = "api_new_token"  # noqa: S105  (a session key, not a secret)


def _administered(user):
    """Return the organisations ``user`` administers, with others' tokens."""
    return [
        {
            "organisation": organisation,
            # One's own tokens are listed once, under "Your tokens".
            "tokens": selectors.organisation_tokens(organisation, excluding=user),
        }
        for organisation in organisations_of(user).order_by("name")
        if can(user, Action.MANAGE_MEMBERS, organisation)
    ]


def _new_token(request):
    """Take the token created by the previous request out of the session."""
    new = request.session.pop(NEW_TOKEN_KEY, None)
    if not new:
        return None, None
    token = selectors.tokens_of(request.user).filter(pk=new["pk"]).first()
    if token is None:
        return None, None
    return token, new["secret"]


def _page(request, form, created=None, secret=None, status=200):
    context = {
        "form": form,
        "tokens": selectors.tokens_of(request.user),
        "administered": _administered(request.user),
        "created": created,
        "secret": secret,
    }
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    if request.method == "GET":
        created, secret = _new_token(request)
        return _page(request, TokenForm(), created=created, secret=secret)

    throttle = TokenCreateThrottle()
    if not throttle.allow_request(request, TokenScope()):
        minutes = max(1, math.ceil((throttle.wait() or 60) / 60))
        messages.error(
            request,
            _(
                "Too many tokens were created in a short time. Try again in "
                "%(minutes)d minutes."
            )
            % {"minutes": minutes},
        )
        return _page(request, TokenForm(request.POST), status=429)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, secret = services.token_create(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return _page(request, form, status=400)
    request.session[NEW_TOKEN_KEY] = {"pk": token.pk, "secret": secret}
    return redirect("api-tokens")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(
        PersonalToken.objects.select_related("token__user"), pk=pk
    )
    if not services.can_revoke(request.user, token):
        # Someone else's token outside one's organisations is not shown at all.
        raise Http404

    services.token_revoke(token=token, actor=request.user)
    messages.success(
        request, _("The token “%(name)s” was revoked.") % {"name": token.name}
    )
    return redirect("api-tokens")
