"""Django admin of reports: records to look at, never to edit or delete."""

from django.contrib import admin

from reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "assessment",
        "status",
        "final",
        "attempts",
        "page_count",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status", "final"]
    search_fields = ["assessment__title", "assessment__organisation__name"]
    raw_id_fields = ["assessment", "requested_by"]

    # A report is what a PDF was rendered from; the kept report of a
    # finalised assessment must never change or disappear.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
