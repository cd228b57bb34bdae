"""DRF permission classes that ask ``assessments.permissions``, and only it.

A view names the assessment or organisation of its URL and the action each
of its own actions needs; these classes load the object through
``get_assessment`` or ``get_organisation`` (404 when the caller cannot see
it) and ask ``can`` (403 when the role does not allow the action).
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from assessments.permissions import Action, can, memberships_of

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


class CreateAssessmentAccess(BasePermission):
    """Allow creating an assessment only where the caller's role allows it.

    Asked before the body is validated, so that a caller who may not create
    assessments gets 403 whatever the body holds. The organisation is named
    in the body; one the caller is not a member of is left to validation,
    which says so.
    """

    message = DENIED

    def has_permission(self, request, view):
        if view.action != "create":
            return True
        memberships = memberships_of(request.user)
        allowed = {
            m.organisation.slug
            for m in memberships
            if can(request.user, Action.CREATE_ASSESSMENT, m.organisation)
        }
        if not allowed:
            return False
        data = request.data
        slug = data.get("organisation") if isinstance(data, Mapping) else None
        if not isinstance(slug, str):
            return True
        return slug in allowed or slug not in {m.organisation.slug for m in memberships}
