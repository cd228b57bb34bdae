"""Find the CJK font and the font subsetter that the PDF reports depend on.

The reports name their font by family (see :data:`CSS_FONT_STACK`) and let
fontconfig resolve it, so no font file passes through the URL fetcher. This
module only answers whether the machine can honour that, for the system
checks and for operators.
"""

import ctypes.util
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# Simplified Chinese faces in order of preference. Noto Sans CJK SC and
# Source Han Sans SC are the same design under two names.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)

# The value of the CSS font-family property for reports and charts. The
# report stylesheet repeats it, since CSS cannot import it from here.
CSS_FONT_STACK = ", ".join(f'"{family}"' for family in CJK_FAMILIES) + ", sans-serif"

# Where Debian and the upstream packages install those faces, for machines
# without the fc-list program.
KNOWN_CJK_FONT_PATHS = (
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    ("Noto Sans CJK SC", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    ("Source Han Sans SC", "/usr/share/fonts/adobe-source-han-sans/SourceHanSans.ttc"),
    ("WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)

CJK_FONT_PACKAGE = "fonts-noto-cjk"
HARFBUZZ_SUBSET_PACKAGE = "libharfbuzz-subset0"


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path


def find_cjk_font() -> CjkFont | None:
    """Return the preferred installed Simplified Chinese font, or None."""
    listed = _fontconfig_chinese_fonts()
    if listed is None:
        return _known_path_font()

    for family in CJK_FAMILIES:
        for families, path in listed:
            if family in families:
                return CjkFont(family, path)
    if listed:
        # Any face covering Simplified Chinese serves as fontconfig's
        # fallback, even when the stack names none of its families.
        families, path = listed[0]
        return CjkFont(families[0], path)
    return None


def has_harfbuzz_subset() -> bool:
    """Return whether HarfBuzz's font subsetting library can be loaded.

    Without it WeasyPrint falls back to a pure-Python subsetter, silently,
    which makes a report with a CJK font some twenty times slower.
    """
    return ctypes.util.find_library("harfbuzz-subset") is not None


def _fontconfig_chinese_fonts() -> list[tuple[list[str], Path]] | None:
    """List fonts that cover Simplified Chinese, or None without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_list, ":lang=zh-cn", "--format", "%{family}\t%{style}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("fc-list failed, looking for CJK fonts by path: %s", error)
        return None

    fonts = []
    for line in completed.stdout.splitlines():
        families, _, rest = line.partition("\t")
        styles, _, path = rest.partition("\t")
        if families and path:
            upright = "Regular" in styles.split(",")
            fonts.append((not upright, path, families.split(",")))
    # Regular faces first, so a bold file is not reported as the font.
    return [(families, Path(path)) for _, path, families in sorted(fonts)]


def _known_path_font() -> CjkFont | None:
    """Return the first CJK font found at a well-known path, or None."""
    for family, path in KNOWN_CJK_FONT_PATHS:
        if Path(path).is_file():
            return CjkFont(family, Path(path))
    return None
