"""Organisation pages: dashboard, switcher, creation and members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors, services
from assessments.forms import (
    MemberAddForm,
    MemberCreateForm,
    OrganisationForm,
    RoleForm,
    apply_errors,
)
from assessments.models import Membership, Role
from assessments.permissions import (
    Action,
    can,
    forget_access,
    get_organisation,
    require,
    role_in,
)
from assessments.selectors.lockouts import locked_out_usernames
from assessments.services.organisations import membership_unlock
from assessments.views.common import redirect_with_errors


@login_required
@require_GET
def organisation_detail(request, org):
    organisation = get_organisation(request.user, org)

    context = {
        "organisation": organisation,
        "role": Role(role_in(request.user, organisation)).label,
        "standings": selectors.organisation_standing(organisation),
        "can_view_history": can(request.user, Action.VIEW_HISTORY, organisation),
        "can_create": can(request.user, Action.CREATE_ASSESSMENT, organisation),
        "can_manage_members": can(request.user, Action.MANAGE_MEMBERS, organisation),
        "can_import": can(request.user, Action.IMPORT_ASSESSMENT, organisation),
        "memberships": selectors.memberships_of(request.user),
    }
    return render(request, "assessments/organisation_detail.html", context)


@login_required
@require_GET
def organisation_switch(request):
    slug = request.GET.get("org", "")
    organisation = get_organisation(request.user, slug)
    return redirect(organisation)


@login_required
def organisation_create(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff of the portal create organisations."))

    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(organisation)
    return render(request, "assessments/organisation_form.html", {"form": form})


def _members_page(request, organisation, add_form=None, create_form=None, status=200):
    members = selectors.members_of(organisation)
    context = {
        "organisation": organisation,
        "members": members,
        "locked_out": locked_out_usernames(m.user.get_username() for m in members),
        "add_form": add_form or MemberAddForm(prefix="add"),
        "create_form": create_form or MemberCreateForm(prefix="create"),
        "role_form": RoleForm(),
        "memberships": selectors.memberships_of(request.user),
    }
    return render(request, "assessments/member_list.html", context, status=status)


def _manageable(request, org):
    organisation = get_organisation(request.user, org)
    require(request.user, Action.MANAGE_MEMBERS, organisation)
    return organisation


@login_required
@require_GET
def member_list(request, org):
    organisation = _manageable(request, org)
    return _members_page(request, organisation)


@login_required
@require_POST
def member_add(request, org):
    organisation = _manageable(request, org)

    form = MemberAddForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            membership = services.membership_add(
                organisation=organisation,
                identifier=form.cleaned_data["identifier"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(user)s is now a member.")
                % {"user": selectors.person_name(membership.user)},
            )
            return redirect("assessments:member-list", org=organisation.slug)
    return _members_page(request, organisation, add_form=form, status=400)


@login_required
@require_POST
def member_create(request, org):
    organisation = _manageable(request, org)

    form = MemberCreateForm(request.POST, prefix="create")
    if form.is_valid():
        try:
            membership = services.membership_create_user(
                organisation=organisation,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The account %(user)s was created and added.")
                % {"user": membership.user.get_username()},
            )
            return redirect("assessments:member-list", org=organisation.slug)
    return _members_page(request, organisation, create_form=form, status=400)


def _membership(organisation, pk):
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        organisation=organisation,
        pk=pk,
    )


@login_required
@require_POST
def member_role(request, org, membership):
    organisation = _manageable(request, org)
    membership = _membership(organisation, membership)
    back = reverse("assessments:member-list", kwargs={"org": organisation.slug})

    form = RoleForm(request.POST)
    if not form.is_valid():
        return redirect_with_errors(request, ValidationError(_("Choose a role.")), back)
    try:
        services.membership_change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(request, _("The role was changed."))
    if membership.user_id == request.user.pk:
        forget_access(request.user)
        if not can(request.user, Action.MANAGE_MEMBERS, organisation):
            # An admin no more may not see the members' page.
            return redirect("assessments:organisation-detail", org=organisation.slug)
    return redirect(back)


@login_required
@require_POST
def member_remove(request, org, membership):
    organisation = _manageable(request, org)
    membership = _membership(organisation, membership)
    back = reverse("assessments:member-list", kwargs={"org": organisation.slug})

    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        return redirect_with_errors(request, error, back)
    messages.success(
        request,
        _("%(user)s was removed.") % {"user": selectors.person_name(membership.user)},
    )
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect(back)


@login_required
@require_POST
def member_unlock(request, org, membership):
    organisation = _manageable(request, org)
    membership = _membership(organisation, membership)

    reset = membership_unlock(membership=membership, actor=request.user)
    name = selectors.person_name(membership.user)
    if reset:
        messages.success(request, _("%(user)s can log in again.") % {"user": name})
    else:
        messages.info(request, _("%(user)s was not locked out.") % {"user": name})
    return redirect("assessments:member-list", org=organisation.slug)
