from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from reports import (
            checks,  # noqa: F401 - registers the system checks
            receivers,  # noqa: F401 - connects the signal receivers
        )
