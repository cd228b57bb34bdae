"""System checks for what the PDF reports need from the machine."""

from django.core.checks import Warning, register

from reports import fonts


@register()
def check_cjk_font(app_configs, **kwargs):
    """Warn when no font can draw the standard's Chinese text."""
    if fonts.find_cjk_font() is not None:
        return []
    return [
        Warning(
            "No Simplified Chinese font is installed, so PDF reports would "
            "print the standard's text as empty boxes.",
            hint=f"Install the Debian package {fonts.CJK_FONT_PACKAGE} "
            "(Noto Sans CJK SC), or another font fontconfig lists for "
            "':lang=zh-cn'.",
            id="reports.W001",
        )
    ]


@register()
def check_harfbuzz_subset(app_configs, **kwargs):
    """Warn when HarfBuzz's subsetter is missing and reports would be slow."""
    if fonts.has_harfbuzz_subset():
        return []
    return [
        Warning(
            "HarfBuzz's font subsetting library is missing, so WeasyPrint "
            "falls back to a pure-Python subsetter and each PDF report takes "
            "many times longer to render.",
            hint=f"Install the Debian package {fonts.HARFBUZZ_SUBSET_PACKAGE}.",
            id="reports.W002",
        )
    ]
