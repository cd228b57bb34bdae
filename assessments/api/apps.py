"""App of the REST API: personal API tokens and their names."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "assessments.api"
    label = "api"
    verbose_name = _("REST API")
