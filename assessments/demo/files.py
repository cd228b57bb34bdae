"""The demo's evidence files, made while the demo loads: PDF, PNG and XLSX.

Nothing binary is shipped. Policies and the validation report are rendered
by the portal's own PDF renderer, the monitoring screenshot is drawn with
Pillow and the model inventory is written with openpyxl; their words come
from ``content.toml``.
"""

import io
from dataclasses import dataclass
from datetime import date
from html import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from PIL import Image, ImageDraw, ImageFont

from reports.fonts import CSS_FONT_STACK, find_cjk_font
from reports.pdf import render_pdf

PDF = "application/pdf"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DOCUMENT_CSS = f"""
@page {{ size: A4; margin: 24mm 22mm; }}
body {{ font-family: {CSS_FONT_STACK}; font-size: 11pt; line-height: 1.7; }}
.issuer {{ text-align: center; color: #b3261e; font-size: 20pt; letter-spacing: 2pt;
  border-bottom: 2px solid #b3261e; padding-bottom: 6pt; }}
.reference {{ text-align: center; margin: 8pt 0 18pt; }}
h1 {{ text-align: center; font-size: 17pt; }}
h2 {{ font-size: 12.5pt; margin-top: 14pt; }}
p {{ margin: 4pt 0; }}
.meta {{ color: #555; }}
.approval {{ margin-top: 24pt; text-align: right; }}
table {{ border-collapse: collapse; width: 100%; margin: 8pt 0 12pt; }}
th, td {{ border: 1px solid #999; padding: 4pt 6pt; text-align: left; }}
th {{ background: #e8eef5; }}
"""


@dataclass(frozen=True)
class DemoFile:
    name: str
    content: bytes
    content_type: str


def build(name: str, organisation: str, documents: dict) -> DemoFile:
    """Return the evidence file ``name`` of content.toml's evidence list."""
    if name in ("policy", "strategy"):
        return _regulation_pdf(documents[name], organisation)
    if name == "validation-report":
        return _validation_report_pdf(documents[name], organisation)
    if name.startswith("dashboard-"):
        return _dashboard_png(documents[name])
    if name.startswith("inventory-"):
        year = name.removeprefix("inventory-")
        return _inventory_xlsx(documents["inventory"], year, organisation)
    raise ValueError(f"No demo file is called {name!r}.")


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<style>{DOCUMENT_CSS}</style></head><body>{body}</body></html>"
    )


def _chinese_number(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def _regulation_pdf(document: dict, organisation: str) -> DemoFile:
    parts = [
        f'<div class="issuer">{escape(organisation)}文件</div>',
        f'<p class="reference">{escape(document["reference"])}</p>',
        f"<h1>{escape(document['title'])}</h1>",
    ]
    article = 0
    for chapter in document["chapters"]:
        parts.append(f'<h2 style="text-align:center">{escape(chapter["heading"])}</h2>')
        for text in chapter["articles"]:
            article += 1
            number = _chinese_number(article)
            parts.append(f"<p><strong>第{number}条</strong>　{escape(text)}</p>")
    parts.append(f'<p class="approval">{escape(document["approval"])}</p>')
    content = render_pdf(
        _page("".join(parts)),
        title=document["title"],
        author=organisation,
        stylesheets=(),
    )
    return DemoFile(document["name"], content, PDF)


def _validation_report_pdf(document: dict, organisation: str) -> DemoFile:
    header = "".join(f"<th>{escape(cell)}</th>" for cell in document["table_header"])
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in document["table"]
    )
    findings = "".join(
        f"<p>{number}. {escape(text)}</p>"
        for number, text in enumerate(document["findings"], 1)
    )
    body = (
        f"<h1>{escape(document['title'])}</h1>"
        f'<p class="meta">{escape(document["meta"])}</p>'
        f"<h2>一、验证范围</h2><p>{escape(document['scope'])}</p>"
        f"<h2>二、主要指标</h2><table><thead><tr>{header}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>三、发现与建议</h2>{findings}"
        f'<p class="approval">{escape(document["signature"])}</p>'
    )
    content = render_pdf(
        _page(body), title=document["title"], author=organisation, stylesheets=()
    )
    return DemoFile(document["name"], content, PDF)


def _font(size: int):
    found = find_cjk_font()
    if found is None:
        return None
    # Noto's collections hold the Simplified Chinese face third.
    index = 2 if found.path.suffix == ".ttc" and "Noto" in found.family else 0
    try:
        return ImageFont.truetype(str(found.path), size, index=index)
    except OSError:
        return None


def _dashboard_png(document: dict) -> DemoFile:
    """Draw a screenshot-like monitoring dashboard.

    Text is drawn only when a CJK font is installed; the shapes alone still
    read as a dashboard.
    """
    width, height = 1280, 760
    image = Image.new("RGB", (width, height), "#f3f5f8")
    draw = ImageDraw.Draw(image)
    title_font, label_font, value_font = _font(24), _font(16), _font(30)

    def text(xy, value, font, fill="#1b1f24"):
        if font is not None:
            draw.text(xy, value, font=font, fill=fill)

    draw.rectangle((0, 0, width, 64), fill="#1f3a5f")
    text((28, 16), document["title"], title_font, "#ffffff")
    draw.rectangle((0, 64, 200, height), fill="#e4e9f0")
    for row, item in enumerate(("总览", "稳定性", "区分能力", "告警", "报告")):
        top = 96 + row * 48
        if row == 0:
            draw.rectangle((0, top - 10, 200, top + 30), fill="#c9d6e6")
        text((32, top), item, label_font, "#1f3a5f")

    for column, (label, value, good) in enumerate(document["kpis"]):
        left = 228 + column * 258
        draw.rounded_rectangle((left, 88, left + 238, 196), 8, fill="#ffffff")
        colour = "#2e7d32" if good else "#c62828"
        draw.rectangle((left, 88, left + 6, 196), fill=colour)
        text((left + 22, 104), label, label_font, "#5f6b7a")
        text((left + 22, 136), value, value_font)

    _psi_chart(draw, (228, 224, 1012, 700), document["psi"], text, label_font)
    _segment_bars(draw, (1032, 224, 1256, 700), text, label_font)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    name = f"模型监控看板截图_{document['month']}.png"
    return DemoFile(name, buffer.getvalue(), PNG)


def _psi_chart(draw, box, values, text, font) -> None:
    """Draw monthly PSI as a line, with the alert threshold dashed."""
    draw.rounded_rectangle(box, 8, fill="#ffffff")
    text((box[0] + 20, box[1] + 14), "月度 PSI（告警阈值 0.10）", font)
    left, top, right, bottom = box[0] + 50, box[1] + 60, box[2] - 30, box[3] - 40
    scale = 0.15
    for step in range(5):
        y = bottom - step * (bottom - top) / 4
        draw.line((left, y, right, y), fill="#e3e7ec", width=1)
    threshold = bottom - 0.10 / scale * (bottom - top)
    for x in range(left, right, 14):
        draw.line((x, threshold, x + 7, threshold), fill="#c62828", width=2)
    step = (right - left) / (len(values) - 1)
    points = [
        (left + index * step, bottom - value / scale * (bottom - top))
        for index, value in enumerate(values)
    ]
    draw.line(points, fill="#1565c0", width=3)
    for x, y in points:
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill="#1565c0")


def _segment_bars(draw, box, text, font) -> None:
    """Draw approval rates of five customer segments as bars."""
    draw.rounded_rectangle(box, 8, fill="#ffffff")
    text((box[0] + 18, box[1] + 14), "分客群通过率", font)
    for index, rate in enumerate((0.62, 0.58, 0.55, 0.60, 0.57)):
        x = box[0] + 28 + index * 40
        draw.rectangle(
            (x, box[3] - 40 - rate * 340, x + 24, box[3] - 40), fill="#4f83c2"
        )


def _inventory_xlsx(document: dict, year: str, organisation: str) -> DemoFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = document["sheet"]
    sheet.append(document["header"])
    for line in document["rows"][year].strip().splitlines():
        cells = line.split("|")
        for column in document["date_columns"]:
            cells[column] = date.fromisoformat(cells[column])
        sheet.append(cells)

    fill = PatternFill("solid", fgColor="1F3A5F")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for cell, width in zip(sheet[1], document["widths"], strict=True):
        sheet.column_dimensions[cell.column_letter].width = width
    for column in document["date_columns"]:
        for (cell,) in sheet.iter_rows(
            min_row=2, min_col=column + 1, max_col=column + 1
        ):
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions

    tiers = workbook.create_sheet("分级口径")
    tiers.append(("风险分级", "口径"))
    for row in document["tiers"]:
        tiers.append(row)
    tiers.column_dimensions["B"].width = 48
    title = f"模型清单与风险分级台账（{year}）"
    workbook.properties.creator = organisation
    workbook.properties.title = title

    buffer = io.BytesIO()
    workbook.save(buffer)
    return DemoFile(f"{title}.xlsx", buffer.getvalue(), XLSX)
