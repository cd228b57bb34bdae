"""DRF permission classes that ask ``assessments.permissions``, and only it.

A view names the assessment or organisation of its URL and the action each
of its own actions needs; these classes load the object through
``get_assessment`` or ``get_organisation`` (404 when the caller cannot see
it) and ask ``can`` (403 when the role does not allow the action).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from assessments.permissions import Action, can

DENIED = _("Your role does not allow this action.")


class AssessmentAccess(BasePermission):
    """Allow an action on the assessment of the URL as the pages would."""

    message = DENIED

    def has_permission(self, request, view):
        if view.assessment_url_kwarg not in view.kwargs:
            return True
        action = view.required_actions.get(view.action, Action.VIEW)
        return can(request.user, action, view.assessment)


class OrganisationAccess(BasePermission):
    """Allow an action on the organisation of the URL as the pages would."""

    message = DENIED

    def has_permission(self, request, view):
        if view.organisation_url_kwarg not in view.kwargs:
            return True
        action = view.required_actions.get(view.action, Action.VIEW_ORGANISATION)
        return can(request.user, action, view.organisation)
