from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.urls import register_converter

        from portal import checks  # noqa: F401 - registers the system checks
        from portal.converters import IdConverter

        # Before any URL configuration reads its patterns.
        register_converter(IdConverter, "id")
