"""The module radar and stage bars: safe SVG, right labels, real rendering."""

import re
from xml.etree import ElementTree

import pytest

from reports.charts import (
    ACCENT_AMBER,
    BRAND_BLUE,
    LABEL_FONT_SIZE,
    VERIFIED_GREEN,
    Series,
    module_radar,
    stage_bars,
    stage_rows,
    svg_data_uri,
)
from reports.pdf import render_pdf

MODULES = [
    "策略",
    "组织",
    "模型安全影响评估",
    "模型生命周期",
    "应急响应",
    "透明可解释",
    "交互与沟通",
    "外部合作",
    "专利保护",
    "环境保护和社会责任",
    "管理层监控和审计",
]
STAGES = [
    "需求分析",
    "数据准备",
    "模型构建",
    "检验验证",
    "部署和存储",
    "运行监控",
    "持续验证",
    "模型修正",
    "模型下线",
]
MODULE_SERIES = [
    Series("自评", [3, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3], "self_assessed"),
    Series("核验", [2, 2, 3, 1, 1, 2, 2, 2, 1, 1, None], "verified"),
    Series("目标", [4, 3, 4, 3, 3, 3, 4, 3, 2, 3, 4], "target"),
]
STAGE_SERIES = [
    Series("自评", [3, 2, 3, 2, 1, 0, 3, 2, 1], "self_assessed"),
    Series("核验", [2, 2, 3, 1, 1, 0, 2, None, 1], "verified"),
    Series("目标", [4, 3, 4, 3, 3, 3, 4, 3, 2], "target"),
]


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - markup made by the charts


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def texts(svg: str) -> list[str]:
    """Return the text of every text element, tspans joined."""
    root = parse(svg)
    return [
        "".join(element.itertext())
        for element in root.iter()
        if local(element.tag) == "text"
    ]


@pytest.fixture(params=["radar", "bars", "rows"])
def chart(request) -> str:
    if request.param == "radar":
        return module_radar(MODULES, MODULE_SERIES)
    if request.param == "rows":
        return stage_rows(STAGES, STAGE_SERIES)
    return stage_bars(STAGES, STAGE_SERIES)


def test_it_holds_no_script_no_declaration_and_no_outside_reference(chart):
    root = parse(chart)

    assert not chart.startswith("<?xml")
    assert local(root.tag) == "svg"
    assert not [e for e in root.iter() if local(e.tag) in {"script", "foreignObject"}]
    assert "<script" not in chart
    assert "xml-stylesheet" not in chart
    hrefs = [
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if local(name) == "href"
    ]
    assert all(href.startswith("#") for href in hrefs)
    assert not re.search(r"@import|url\((?!#)", chart)


def test_it_colours_each_kind_of_series_with_the_portals_palette(chart):
    style = "".join(
        e.text or "" for e in parse(chart).iter() if local(e.tag) == "style"
    )

    for index, colour in enumerate([BRAND_BLUE, VERIFIED_GREEN, ACCENT_AMBER]):
        assert re.search(rf"\.color-{index}[^{{]*\{{[^}}]*{colour}", style, re.I)


def test_the_radar_labels_every_module_going_clockwise_from_the_top():
    svg = module_radar(MODULES, MODULE_SERIES)

    labels = [t for t in texts(svg) if t in MODULES]

    # pygal lists the axes anticlockwise; the first is at the top.
    assert labels == [MODULES[0], *reversed(MODULES[1:])]
    assert "环境保护和社会责任" in texts(svg)


def test_the_radar_rings_are_levels_one_to_five():
    svg = module_radar(MODULES, MODULE_SERIES)

    assert [t for t in texts(svg) if t.isdigit()] == ["5", "4", "3", "2", "1"]


def test_the_bars_have_integer_level_ticks_from_zero_to_five():
    root = parse(stage_bars(STAGES, STAGE_SERIES))

    y_axis = next(
        e for e in root.iter() if {"axis", "y"} <= set(e.get("class", "").split())
    )
    ticks = [e.text for e in y_axis.iter() if local(e.tag) == "text"]
    assert sorted(ticks, key=int) == ["0", "1", "2", "3", "4", "5"]


def test_the_bars_label_every_stage_and_the_legend_names_every_series():
    found = texts(stage_bars(STAGES, STAGE_SERIES))

    assert [t for t in found if t in STAGES] == STAGES
    assert {"自评", "核验", "目标"} <= set(found)


def test_the_rows_list_the_stages_from_the_top_in_the_standards_order():
    root = parse(stage_rows(STAGES, STAGE_SERIES))

    # Drawn across, the stages are along pygal's y axis.
    stage_axis = next(
        e for e in root.iter() if {"axis", "y"} <= set(e.get("class", "").split())
    )
    labels = [
        (float(e.get("y")), "".join(e.itertext()))
        for e in stage_axis.iter()
        if local(e.tag) == "text"
    ]
    assert [text for _y, text in sorted(labels)] == STAGES


def test_the_rows_leave_room_for_the_longest_chinese_stage_name():
    root = parse(stage_rows(STAGES, STAGE_SERIES))

    # Drawn across, the stages are along pygal's y axis.
    stage_axis = next(
        e for e in root.iter() if {"axis", "y"} <= set(e.get("class", "").split())
    )
    plot_left = float(
        next(e for e in root.iter() if "plot" in e.get("class", "").split())
        .get("transform")
        .split("(")[1]
        .split(",")[0]
    )
    longest = max(len(stage) for stage in STAGES)
    for label in (e for e in stage_axis.iter() if local(e.tag) == "text"):
        # Labels end at the plot's edge; a CJK character is about as wide as
        # the type is large.
        assert plot_left + float(label.get("x")) >= longest * LABEL_FONT_SIZE


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([Series("自评", [6] * 9)], "levels run from 0 to 5"),
        ([Series("自评", [-1] * 9)], "levels run from 0 to 5"),
        ([Series("自评", [1] * 8)], "has 8 values for 9 axes"),
    ],
)
def test_it_refuses_bad_levels(series, message):
    with pytest.raises(ValueError, match=message):
        stage_bars(STAGES, series)


def test_the_radar_needs_three_axes():
    with pytest.raises(ValueError, match="at least 3 axes"):
        module_radar(MODULES[:2], [Series("自评", [1, 2])])


def test_the_pdf_draws_the_charts_with_chinese_text(pdf_text, pdf_contents):
    html = "".join(
        f'<figure class="chart"><img src="{svg_data_uri(svg)}" alt=""></figure>'
        for svg in [
            module_radar(MODULES, MODULE_SERIES),
            stage_bars(STAGES, STAGE_SERIES),
        ]
    )

    pdf = render_pdf(html, title="图表")

    text = pdf_text(pdf)
    for label in [
        "策略",
        "组织",
        "模型生命周期",
        "交互与沟通",
        "需求分析",
        "模型下线",
        "核验",
    ]:
        assert label in text
    # Drawn as vectors, not embedded as pictures.
    assert pdf_contents(pdf)["images"] == 0


def test_the_pdf_draws_an_inline_chart_too(pdf_text):
    pdf = render_pdf(stage_bars(STAGES, STAGE_SERIES), title="图表")

    assert "部署和存储" in pdf_text(pdf)
