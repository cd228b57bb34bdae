"""The module radar shown narrow, as on a phone: larger words that still fit."""

import re

import pytest

from reports.charts import (
    LABEL_FONT_SIZE,
    NARROW_RADAR_WIDTH,
    RADAR_SIZE,
    Series,
    module_radar,
)
from tests.browser import evaluate_drawn, needs_chromium
from tests.reports.test_charts import MODULE_SERIES, MODULES, local, parse

CODES = ["STR", "ORG", "SIA", "LC", "ERS", "TEX", "ICM", "EXT", "IPP", "ESR", "MMA"]
ENGLISH_SERIES = [
    Series("Self-assessed", MODULE_SERIES[0].values, "self_assessed"),
    Series("Verified", MODULE_SERIES[1].values, "verified"),
    Series("Target", MODULE_SERIES[2].values, "target"),
]


def narrow_rules(svg: str) -> str:
    styles = "".join(e.text or "" for e in parse(svg).iter() if local(e.tag) == "style")
    match = re.search(
        rf"@media \(max-width: {NARROW_RADAR_WIDTH}px\) \{{(.*)\}}", styles
    )
    assert match, "the radar holds no rules for a narrow display"
    return match.group(1)


def test_the_narrow_layout_changes_only_transforms():
    rules = narrow_rules(module_radar(MODULES, MODULE_SERIES))

    declarations = re.findall(r"\{\s*([\w-]+):", rules)
    assert declarations
    assert set(declarations) == {"transform"}


def test_each_axis_label_grows_about_the_end_of_its_axis():
    root = parse(module_radar(MODULES, MODULE_SERIES))

    axis = next(
        e for e in root.iter() if {"x", "web"} <= set(e.get("class", "").split())
    )
    for guides in axis:
        path = next(c for c in guides if local(c.tag) == "path")
        text = next(c for c in guides if local(c.tag) == "text")
        x1, y1 = path.get("d").split("L")[1].split()
        assert f"transform-origin: {float(x1):.2f}px {float(y1):.2f}px" in text.get(
            "style"
        )
        assert text.get("transform") is None


def browser_boxes(svg: str, width: int, shown: int) -> dict:
    """Return the boxes of the radar's labels and legend drawn in Chromium.

    The SVG is set inline, ``shown`` pixels wide on a page ``width`` pixels
    wide, so that its media query reads the page's width.
    """
    script = """() => {
      const svg = document.querySelector('svg').getBoundingClientRect();
      const box = (e) => { const r = e.getBoundingClientRect();
        return {left: r.left - svg.left, top: r.top - svg.top,
                right: r.right - svg.left, bottom: r.bottom - svg.top,
                lines: e.querySelectorAll('tspan').length || 1}; };
      return {
        svg: {width: svg.width, height: svg.height},
        labels: [...document.querySelectorAll('.axis.x text')].map(box),
        legend: [...document.querySelectorAll('.legends .legend')].map(box),
      };
    }"""
    fluid = svg.replace("<svg ", '<svg style="width:100%;height:auto" ', 1)
    html = f"<body style='margin:0'><div style='width:{shown}px'>{fluid}</div>"
    return evaluate_drawn(html, width, script)


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@needs_chromium
@pytest.mark.parametrize(
    ("labels", "series"),
    [(MODULES, MODULE_SERIES), (CODES, ENGLISH_SERIES)],
    ids=["chinese-names", "english-codes"],
)
def test_on_a_phone_the_labels_are_readable_and_fit(labels, series):
    boxes = browser_boxes(module_radar(labels, series), width=375, shown=300)

    svg = boxes["svg"]
    legend_top = min(item["top"] for item in boxes["legend"])
    for label in boxes["labels"]:
        line_height = (label["bottom"] - label["top"]) / label["lines"]
        assert line_height >= 11
        assert label["left"] >= 0
        assert label["right"] <= svg["width"]
        assert label["top"] >= 0
        assert label["bottom"] <= legend_top
    for first, second in zip(boxes["labels"], boxes["labels"][1:], strict=False):
        assert not overlap(first, second)
    for item in boxes["legend"]:
        assert item["bottom"] - item["top"] >= 9
        assert item["right"] <= svg["width"]


@needs_chromium
def test_drawn_wide_the_radar_keeps_its_layout():
    width, _height = RADAR_SIZE

    boxes = browser_boxes(module_radar(MODULES, MODULE_SERIES), 1280, width)

    single = [label for label in boxes["labels"] if label["lines"] == 1]
    assert single
    for label in single:
        assert label["bottom"] - label["top"] < 1.6 * LABEL_FONT_SIZE
