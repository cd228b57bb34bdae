"""System checks for what the portal needs from the machine it runs on."""

from django.core.checks import Tags, Warning, register


@register()
def check_private_storage(app_configs, **kwargs):
    """Warn when the private storage folder sits inside the static folder."""
    from django.conf import settings

    private = settings.PRIVATE_STORAGE_ROOT.resolve()
    static_root = settings.STATIC_ROOT.resolve()
    if private == static_root or static_root in private.parents:
        return [
            Warning(
                "PRIVATE_STORAGE_ROOT lies inside STATIC_ROOT, so evidence would "
                "be served publicly.",
                hint="Point PRIVATE_STORAGE_ROOT at a folder outside STATIC_ROOT.",
                id="portal.W001",
            )
        ]
    return []


@register(Tags.staticfiles, deploy=True)
def check_collected_static(app_configs, **kwargs):
    """Warn when the pages would link static files not collected yet.

    With DEBUG off they are served from STATIC_ROOT under fingerprinted
    names, which only ``collectstatic`` writes; every page fails without
    them.
    """
    from django.conf import settings
    from django.contrib.staticfiles.storage import (
        ManifestFilesMixin,
        staticfiles_storage,
    )

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Warning(
            f"The static files are not collected into {settings.STATIC_ROOT}; "
            "with DEBUG off, every page fails until they are.",
            hint="Run `python manage.py collectstatic --noinput`.",
            id="portal.W002",
        )
    ]
