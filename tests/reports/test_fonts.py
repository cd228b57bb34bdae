"""Finding the CJK font and the subsetter, and the font the reports use."""

import io
import re
import subprocess
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader

from reports import fonts
from reports.pdf import render_pdf

NOTO_REGULAR = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

FC_LIST_OUTPUT = (
    "WenQuanYi Zen Hei,文泉驛正黑\tRegular\t/fonts/wqy-zenhei.ttc\n"
    "Noto Sans CJK SC\tBold\t/fonts/NotoSansCJK-Bold.ttc\n"
    "Noto Sans CJK JP\tRegular\t/fonts/NotoSansCJK-Regular.ttc\n"
    "Noto Sans CJK SC,Noto Sans CJK SC Regular\tRegular,常规\t"
    "/fonts/NotoSansCJK-Regular.ttc\n"
)


def fake_fc_list(monkeypatch, stdout: str):
    """Make fc-list answer ``stdout``."""
    monkeypatch.setattr(fonts.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        fonts.subprocess,
        "run",
        lambda args, **kwargs: subprocess.CompletedProcess(args, 0, stdout, ""),
    )


def test_it_finds_noto_sans_cjk_sc_on_this_machine():
    found = fonts.find_cjk_font()

    assert found == fonts.CjkFont("Noto Sans CJK SC", NOTO_REGULAR)


def test_it_prefers_the_first_family_of_the_stack_in_its_regular_face(monkeypatch):
    fake_fc_list(monkeypatch, FC_LIST_OUTPUT)

    found = fonts.find_cjk_font()

    assert found == fonts.CjkFont(
        "Noto Sans CJK SC", Path("/fonts/NotoSansCJK-Regular.ttc")
    )


def test_it_takes_another_chinese_font_when_none_of_the_stack_is_there(monkeypatch):
    fake_fc_list(monkeypatch, "AR PL UMing CN\tLight\t/fonts/uming.ttc\n")

    found = fonts.find_cjk_font()

    assert found == fonts.CjkFont("AR PL UMing CN", Path("/fonts/uming.ttc"))


def test_it_finds_nothing_when_fontconfig_lists_no_chinese_font(monkeypatch):
    fake_fc_list(monkeypatch, "")

    assert fonts.find_cjk_font() is None


def test_it_looks_at_known_paths_without_fc_list(monkeypatch):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)

    found = fonts.find_cjk_font()

    assert found == fonts.CjkFont("Noto Sans CJK SC", NOTO_REGULAR)


def test_it_finds_nothing_without_fc_list_or_known_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.setattr(
        fonts, "KNOWN_CJK_FONT_PATHS", (("Noto Sans CJK SC", str(tmp_path / "x")),)
    )

    assert fonts.find_cjk_font() is None


def test_it_sees_the_harfbuzz_subsetter(monkeypatch):
    assert fonts.has_harfbuzz_subset() is True

    monkeypatch.setattr(fonts.ctypes.util, "find_library", lambda name: None)

    assert fonts.has_harfbuzz_subset() is False


def test_the_report_stylesheet_names_the_same_font_stack():
    css = (Path(settings.BASE_DIR) / "static/reports/report.css").read_text()

    stacks = {
        " ".join(match.split()) for match in re.findall(r"font-family:\s*([^;]+);", css)
    }

    assert stacks == {fonts.CSS_FONT_STACK}


def test_reports_embed_noto_sans_cjk_sc_for_chinese_text():
    pdf = render_pdf(
        "<h2>模型生命周期</h2><p>应建立有效的需求分析机制。</p>", title="报告"
    )

    reader = PdfReader(io.BytesIO(pdf))
    font_names = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert font_names
    assert all("Noto-Sans-CJK-SC" in name for name in font_names)


def test_reports_draw_emoji_typed_into_answers_from_an_emoji_font():
    pdf = render_pdf("<p>已整改 ✅ 上线 🚀</p>", title="报告")

    reader = PdfReader(io.BytesIO(pdf))
    font_names = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-CJK-SC" in name for name in font_names)
    assert any("Emoji" in name for name in font_names), font_names
