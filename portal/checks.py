"""System checks for what the portal needs from the machine it runs on."""

from django.core.checks import Warning, register


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
