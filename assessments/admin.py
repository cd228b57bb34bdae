"""Django admin for support staff: read mostly, the portal's pages do the work."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import (
    Assessment,
    AuditorGrant,
    Comment,
    Evidence,
    EvidenceDeletion,
    Finding,
    Membership,
    Organisation,
    Review,
    StatusChange,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "framework", "status", "period_end"]
    list_filter = ["status", "framework"]
    search_fields = ["title", "organisation__name"]
    # Status, scores and history change only through the services.
    readonly_fields = ["status", "self_scores", "verified_scores", "finalised_at"]
    raw_id_fields = ["previous", "created_by"]


@admin.register(AuditorGrant)
class AuditorGrantAdmin(SimpleHistoryAdmin):
    list_display = ["user", "assessment", "expires_on", "revoked_at"]
    raw_id_fields = ["user", "assessment", "granted_by", "revoked_by"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["assessment", "from_status", "to_status", "actor", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "assessment", "kind", "original_name", "size"]
    list_filter = ["kind"]
    readonly_fields = ["file_path", "original_name", "size", "content_type", "sha256"]

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through the portal, which logs it and keeps
        # finalised evidence.
        return False


@admin.register(EvidenceDeletion)
class EvidenceDeletionAdmin(admin.ModelAdmin):
    list_display = ["title", "assessment", "deleted_by", "deleted_at"]

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Show the auditor's records and their history; the portal writes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyHistoryAdmin):
    list_display = ["answer", "verdict", "answer_version", "reviewer", "updated_at"]
    list_filter = ["verdict"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["assessment", "answer", "evidence", "author", "created_at"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "assessment", "kind", "severity", "requirement"]
    list_filter = ["kind", "severity"]
