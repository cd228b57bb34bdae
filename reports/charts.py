"""Draw the maturity charts as SVG, for web pages and PDF reports alike.

The charts are plain data in, SVG markup out: a radar of the module levels,
and bars of the lifecycle stage levels, side by side or, for a phone, as
rows. The SVG holds no script and no link
to anything outside it, and carries its styles in an internal ``<style>``,
where a media query lays the radar out anew when it is shown narrow, as on
a phone. Pages whose Content-Security-Policy forbids inline styles should
show it through :func:`svg_data_uri` in an ``<img>``, which is also how the
PDF report embeds it.
"""

import base64
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from reports.fonts import CSS_FONT_STACK

MIN_LEVEL = 0
MAX_LEVEL = 5
LEVELS = tuple(range(MIN_LEVEL, MAX_LEVEL + 1))

BRAND_BLUE = "#1f4e8c"
ACCENT_AMBER = "#f0b429"
VERIFIED_GREEN = "#1e7b4a"

# The colour of each kind of series, so that a reading looks the same in
# every chart of a report.
SERIES_COLOURS = {
    "self_assessed": BRAND_BLUE,
    "verified": VERIFIED_GREEN,
    "target": ACCENT_AMBER,
}
# Used in turn by series of any other kind.
EXTRA_COLOURS = ("#7b8794", "#8e5ba8", "#c05621")

LABEL_FONT_SIZE = 15
LEGEND_FONT_SIZE = 15
# Radar axis labels longer than this many characters go on two lines.
WRAP_LABEL_OVER = 6
RADAR_SIZE = (860, 660)
# Shown narrower than this many CSS pixels, as on a phone, the radar draws
# its plot smaller and its words larger, by a media query inside the SVG;
# a PDF renderer ignores it.
NARROW_RADAR_WIDTH = 520
# Type sizes of the narrow radar in the chart's own units: on a 375-pixel
# phone the chart is about 300 pixels wide, so an axis label comes out at
# about 12 pixels.
NARROW_LABEL_SIZE = 34
NARROW_LEVEL_SIZE = 24
NARROW_LEGEND_SIZE = 30
# Room kept clear at the edges of the narrow radar.
NARROW_PADDING = 8
BARS_SIZE = (860, 460)
# The stages as rows, for a phone: as wide as a phone shows it, so that
# its words keep their size, and as tall as its rows need.
ROWS_WIDTH = 400
ROWS_ROW_HEIGHT = 44
ROWS_FRAME_HEIGHT = 110
ROWS_VALUE_FONT_SIZE = 14
SOLID_LEGEND_CSS = ".legends .legend rect.reactive { fill-opacity: 0.85 !important; }"


@dataclass(frozen=True)
class Series:
    """One reading of the levels, such as self-assessed, verified or target.

    ``kind`` picks the colour (see :data:`SERIES_COLOURS`); ``values`` hold
    one level per module or stage, None where there is no reading.
    """

    label: str
    values: Sequence[float | None]
    kind: str = "self_assessed"


def module_radar(modules: Sequence[str], series: Sequence[Series]) -> str:
    """Return SVG markup of a radar with one axis per module name.

    Series of kind ``target`` are drawn as a dashed outline, the others as
    filled areas.
    """
    _check(modules, series, minimum_axes=3)
    # pygal lays the axes out anticlockwise from the top; reading the
    # modules in order means going clockwise.
    order = [0, *range(len(modules) - 1, 0, -1)]

    chart = pygal.Radar(
        _config(series, RADAR_SIZE, opacity=0.2),
        x_labels=[modules[i] for i in order],
        range=(MIN_LEVEL, MAX_LEVEL),
        y_labels=list(LEVELS[1:]),
        fill=True,
        dots_size=3.5,
        margin=24,
        margin_left=90,
        margin_right=90,
        spacing=22,
        show_x_guides=True,
    )
    for reading in series:
        if reading.kind == "target":
            chart.add(
                reading.label,
                [reading.values[i] for i in order],
                fill=False,
                show_dots=False,
                stroke_style={"width": 3, "dasharray": "8, 5"},
            )
        else:
            chart.add(
                reading.label,
                [reading.values[i] for i in order],
                stroke_style={"width": 2.5},
            )
    chart.add_xml_filter(_level_radar_labels)
    chart.add_xml_filter(_narrow_radar_layout)
    return _render(chart)


def stage_bars(
    stages: Sequence[str], series: Sequence[Series], *, values: bool = True
) -> str:
    """Return SVG markup of grouped bars, one group per lifecycle stage.

    ``values`` writes each level above its bar; a PDF report, which prints
    the levels in a table beside the chart, leaves them out, as every one
    is a text element the renderer lays out on its own.
    """
    _check(stages, series, minimum_axes=1)

    chart = pygal.Bar(
        _config(series, BARS_SIZE, opacity=0.9),
        x_labels=list(stages),
        show_x_guides=False,
        margin=20,
        spacing=14,
        **_level_scale(values),
    )
    for reading in series:
        chart.add(reading.label, list(reading.values))
    return _render(chart)


def stage_rows(stages: Sequence[str], series: Sequence[Series]) -> str:
    """Return SVG markup of the stage levels as horizontal bars, one row per stage.

    :func:`stage_bars` for a phone: its labels would shrink with the chart
    to a few pixels, where these rows keep them about the size of the text.
    """
    _check(stages, series, minimum_axes=1)

    height = ROWS_FRAME_HEIGHT + ROWS_ROW_HEIGHT * len(stages)
    # pygal makes room for the labels as if every character were Latin;
    # Chinese ones are wider.
    pygal_room = max(len(stage) for stage in stages) * 0.6 * LABEL_FONT_SIZE
    room = max(_text_width(stage, LABEL_FONT_SIZE) for stage in stages)
    config = _config(series, (ROWS_WIDTH, height), opacity=0.9)
    config.style.value_font_size = ROWS_VALUE_FONT_SIZE
    chart = pygal.HorizontalBar(
        config,
        margin_left=10 + max(room - pygal_room, 0),
        # pygal draws the first label at the bottom: reversed, the stages
        # read from the top in the standard's order.
        x_labels=list(reversed(stages)),
        show_y_guides=False,
        margin_top=10,
        margin_right=10,
        margin_bottom=10,
        spacing=6,
        **_level_scale(values=True),
    )
    for reading in series:
        chart.add(reading.label, list(reversed(reading.values)))
    return _render(chart)


def _level_scale(values: bool) -> dict:
    """Return the options of bars measured in levels, from 0 to 5.

    With ``values``, each bar has its level written at its end.
    """
    return {
        "range": (MIN_LEVEL, MAX_LEVEL),
        "y_labels": list(LEVELS),
        "print_values": values,
        "print_zeroes": values,
        "print_values_position": "top",
        "value_formatter": _format_level,
    }


def svg_data_uri(svg: str) -> str:
    """Return ``svg`` as a ``data:`` URI for an ``<img src>``."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _config(series: Sequence[Series], size: tuple[int, int], *, opacity: float):
    """Return the pygal configuration shared by every chart."""
    width, height = size
    config = pygal.Config()
    config.style = _style(series, opacity)
    config.width = width
    config.height = height
    config.js = []
    # Legend boxes keep full colour even where the areas are translucent.
    config.css = [*config.css, "inline:" + SOLID_LEGEND_CSS]
    config.disable_xml_declaration = True
    config.legend_at_bottom = True
    config.legend_at_bottom_columns = max(len(series), 1)
    config.legend_box_size = 14
    config.truncate_label = -1
    config.truncate_legend = -1
    config.show_minor_y_labels = True
    config.tooltip_border_radius = 0
    return config


def _render(chart: pygal.graph.graph.Graph) -> str:
    """Return the chart's SVG markup without scripts or comments."""
    chart.add_xml_filter(_strip_scripts_and_comments)
    chart.add_xml_filter(_strip_title)
    return chart.render(is_unicode=True)


def _style(series: Sequence[Series], opacity: float) -> Style:
    """Return the portal's chart style with one colour per series, in order."""
    extra = itertools.cycle(EXTRA_COLOURS)
    colours = tuple(SERIES_COLOURS.get(s.kind) or next(extra) for s in series)
    return Style(
        font_family=CSS_FONT_STACK,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#3e4c59",
        foreground_strong="#1f2933",
        foreground_subtle="#d3d8de",
        opacity=str(opacity),
        opacity_hover=str(min(opacity + 0.1, 1)),
        transition="none",
        colors=colours,
        label_font_size=LABEL_FONT_SIZE,
        major_label_font_size=LABEL_FONT_SIZE,
        value_font_size=12,
        value_label_font_size=12,
        legend_font_size=LEGEND_FONT_SIZE,
        title_font_size=18,
        tooltip_font_size=13,
        guide_stroke_color="#d3d8de",
        major_guide_stroke_color="#aab3bd",
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
    )


def _check(axes: Sequence[str], series: Sequence[Series], *, minimum_axes: int):
    """Raise ValueError unless every series has one level 0–5 per axis."""
    if len(axes) < minimum_axes:
        raise ValueError(
            f"A chart needs at least {minimum_axes} axes, got {len(axes)}."
        )
    for reading in series:
        if len(reading.values) != len(axes):
            raise ValueError(
                f"Series {reading.label!r} has {len(reading.values)} values "
                f"for {len(axes)} axes; give one value (or None) per axis."
            )
        for value in reading.values:
            if value is not None and not MIN_LEVEL <= value <= MAX_LEVEL:
                raise ValueError(
                    f"Series {reading.label!r} has level {value}; levels run "
                    f"from {MIN_LEVEL} to {MAX_LEVEL}."
                )


def _format_level(value: float | None) -> str:
    """Print a level as a whole number when it is one."""
    if value is None:
        return ""
    return f"{value:g}"


def _strip_scripts_and_comments(root: ElementTree.Element) -> ElementTree.Element:
    """Remove every script, tooltip text and comment from the SVG tree.

    pygal writes an inline script holding its configuration even when no
    script file is asked for, and a comment with today's date. The values
    it keeps in ``<desc>`` feed only that script's tooltips; a PDF renderer
    still builds a node for each, a fifth of a chart's cost.
    """
    for parent in list(root.iter()):
        for child in list(parent):
            # Comments and processing instructions have no string tag.
            if not isinstance(child.tag, str) or _local_name(child.tag) in {
                "script",
                "desc",
            }:
                parent.remove(child)
    return root


def _strip_title(root: ElementTree.Element) -> ElementTree.Element:
    """Remove the SVG's own title, which pygal sets to "Pygal" when untitled.

    The page or report names the chart, in the ``alt`` of its image.
    """
    for child in list(root):
        if _local_name(child.tag) == "title":
            root.remove(child)
    return root


def _local_name(tag: str) -> str:
    """Return an element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _level_radar_labels(root: ElementTree.Element) -> ElementTree.Element:
    """Set the radar's axis labels level, anchored away from the centre.

    pygal turns each label along its axis, which leaves long Chinese names
    on their side and clipped at the edges.
    """
    for guides, path, text in _radar_axes(root):
        if not text.text:
            continue
        label = text.text
        _place_radar_label(path, text, _split_label(label))
        for title in guides:
            if _local_name(title.tag) == "title":
                title.text = label
    return root


def _radar_axes(root: ElementTree.Element):
    """Yield each radar axis's group with the axis line and its label's text."""
    for axis in root.iter():
        classes = axis.get("class", "").split()
        if "x" not in classes or "web" not in classes:
            continue
        for guides in axis:
            path = _first_child(guides, "path")
            text = _first_child(guides, "text")
            if path is not None and text is not None:
                yield guides, path, text


def _place_radar_label(
    path: ElementTree.Element, text: ElementTree.Element, lines: list[str]
):
    """Write ``lines`` level, just past the end of the axis line ``path``."""
    start, end = path.get("d").removeprefix("M").split("L")
    x0, y0 = (float(n) for n in start.split())
    x1, y1 = (float(n) for n in end.split())
    length = math.hypot(x1 - x0, y1 - y0) or 1
    ux, uy = (x1 - x0) / length, (y1 - y0) / length

    # The top label clears the level numbers written beside the first axis.
    gap = LABEL_FONT_SIZE * (0.6 + 0.6 * max(-uy, 0))
    line_height = LABEL_FONT_SIZE * 1.2
    x = x1 + ux * gap
    # y is the first baseline: a label below the centre hangs from the axis
    # end, one above it stands on it, one beside it is centred on it.
    y = y1 + uy * gap + LABEL_FONT_SIZE * (0.35 + 0.45 * max(uy, -0.8))
    y -= (len(lines) - 1) * line_height * (1 - uy) / 2
    anchor = "middle" if abs(ux) < 0.25 else "start" if ux > 0 else "end"

    text.attrib.pop("transform", None)
    text.text = None
    text.set("x", f"{x:.2f}")
    text.set("y", f"{y:.2f}")
    text.set("style", f"text-anchor: {anchor}")
    for number, line in enumerate(lines):
        tspan = ElementTree.SubElement(text, "tspan", x=f"{x:.2f}")
        tspan.set("y", f"{y + number * line_height:.2f}")
        tspan.text = line


def _split_label(label: str) -> list[str]:
    """Break a long axis label in two, at a space or a conjunction if near."""
    if len(label) <= WRAP_LABEL_OVER:
        return [label]

    middle = len(label) / 2
    breaks = [i for i, char in enumerate(label) if char == " "]
    if breaks:
        cut = min(breaks, key=lambda i: abs(i - middle))
        return [label[:cut], label[cut + 1 :]]
    near = [
        i for i, char in enumerate(label) if char in "和与及" and abs(i - middle) <= 2
    ]
    cut = min(near, key=lambda i: abs(i - middle)) if near else math.ceil(middle)
    return [label[:cut], label[cut:]]


def _first_child(parent: ElementTree.Element, name: str) -> ElementTree.Element | None:
    """Return the first child element called ``name``, or None."""
    return next(
        (c for c in parent if isinstance(c.tag, str) and _local_name(c.tag) == name),
        None,
    )


def _text_width(text: str, size: float) -> float:
    """Estimate the width of ``text`` set at ``size``: CJK square, Latin narrower."""
    return size * sum(
        1.0 if unicodedata.east_asian_width(char) in "WF" else 0.62 for char in text
    )


def _translation(element: ElementTree.Element) -> tuple[float, float]:
    """Return the offset of a group pygal placed with ``translate(x, y)``."""
    match = re.search(
        r"translate\(([-\d.]+),\s*([-\d.]+)\)", element.get("transform", "")
    )
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


def _narrow_radar_layout(root: ElementTree.Element) -> ElementTree.Element:
    """Add a media query that lays the radar out anew when it is shown narrow.

    Shown at full size on a phone, the chart's words would come out a few
    pixels high. Below :data:`NARROW_RADAR_WIDTH` the plot shrinks about
    its centre, just enough for every axis label to fit at
    :data:`NARROW_LABEL_SIZE`, each label grows about the end of its axis,
    and the legend is set larger along the bottom edge. Only CSS
    transforms change, so the drawing for a PDF stays as it is.
    """
    width, height = RADAR_SIZE
    plot = next((e for e in root.iter() if "plot" in e.get("class", "").split()), None)
    legends = next(
        (e for e in root.iter() if "legends" in e.get("class", "").split()), None
    )
    if plot is None or legends is None or not root.get("id"):
        return root
    chart = f"#{root.get('id')}"

    legend_rules, legend_top = _narrow_legend(chart, legends, width, height)
    labels = _radar_labels(root)
    if not labels:
        return root
    centre = labels[0]["centre"]
    ratio = NARROW_LABEL_SIZE / LABEL_FONT_SIZE
    scale, box = 1.0, None
    while scale > 0.4:
        box = _label_extent(labels, centre, scale, ratio)
        fits_across = box[2] - box[0] <= width - 2 * NARROW_PADDING
        fits_down = box[3] - box[1] <= legend_top - 2 * NARROW_PADDING
        if fits_across and fits_down:
            break
        scale -= 0.01
    # The new centre puts the labels' extent in the middle of the room.
    left, top, right, bottom = box
    middle_x = width / 2 - (left + right) / 2
    middle_y = legend_top / 2 - (top + bottom) / 2
    shift_x = middle_x - scale * centre[0]
    shift_y = middle_y - scale * centre[1]

    label_scale = NARROW_LABEL_SIZE / (LABEL_FONT_SIZE * scale)
    level_scale = NARROW_LEVEL_SIZE / (LABEL_FONT_SIZE * scale)
    rules = [
        f"{chart} .plot {{ transform: translate({shift_x:.2f}px, {shift_y:.2f}px) "
        f"scale({scale:.3f}); }}",
        f"{chart} .axis.x text {{ transform: scale({label_scale:.3f}); }}",
        f"{chart} .axis.y text {{ transform: scale({level_scale:.3f}); }}",
        *legend_rules,
    ]
    for axis in root.iter():
        classes = axis.get("class", "").split()
        if "axis" in classes and "y" in classes:
            for text in axis.iter():
                if _local_name(text.tag) == "text" and text.get("x"):
                    _set_origin(text, float(text.get("x")), float(text.get("y")))
    for label in labels:
        _set_origin(label["text"], *label["end"])

    defs = _first_child(root, "defs")
    style = ElementTree.SubElement(
        root if defs is None else defs, "style", type="text/css"
    )
    style.text = "@media (max-width: {}px) {{ {} }}".format(
        NARROW_RADAR_WIDTH, " ".join(rules)
    )
    return root


def _set_origin(element: ElementTree.Element, x: float, y: float) -> None:
    """Make ``element`` grow about the point ``x``, ``y`` when it is scaled."""
    style = element.get("style", "")
    origin = f"transform-origin: {x:.2f}px {y:.2f}px"
    element.set("style", f"{style}; {origin}" if style else origin)


def _radar_labels(root: ElementTree.Element) -> list[dict]:
    """Return each axis label with its axis end, lines and anchor, in plot units."""
    labels = []
    for _guides, path, text in _radar_axes(root):
        if text.get("x") is None:
            continue
        start, end = path.get("d").removeprefix("M").split("L")
        lines = [tspan.text or "" for tspan in text]
        style = text.get("style", "")
        anchor = "middle" if "middle" in style else "end" if "end" in style else "start"
        labels.append(
            {
                "text": text,
                "centre": tuple(float(n) for n in start.split()),
                "end": tuple(float(n) for n in end.split()),
                "at": (float(text.get("x")), float(text.get("y"))),
                "lines": lines,
                "anchor": anchor,
            }
        )
    return labels


def _label_extent(labels, centre, scale: float, ratio: float):
    """Return the box holding the narrow labels, about the plot's centre.

    The plot is scaled by ``scale`` about ``centre``; each label grows by
    ``ratio`` (of its full-size type) about the end of its axis.
    """
    size = LABEL_FONT_SIZE * ratio
    boxes = []
    for label in labels:
        end_x = scale * (label["end"][0] - centre[0])
        end_y = scale * (label["end"][1] - centre[1])
        x = end_x + ratio * (label["at"][0] - label["end"][0])
        baseline = end_y + ratio * (label["at"][1] - label["end"][1])
        text_width = max(_text_width(line, size) for line in label["lines"])
        left = {
            "start": x,
            "end": x - text_width,
            "middle": x - text_width / 2,
        }[label["anchor"]]
        top = baseline - 0.9 * size
        bottom = baseline + 1.2 * size * (len(label["lines"]) - 1) + 0.25 * size
        boxes.append((left, top, left + text_width, bottom))
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def _narrow_legend(chart: str, legends, width: float, height: float):
    """Return the CSS that sets the legend larger in a row, and the row's top."""
    offset_x, offset_y = _translation(legends)
    items = []
    for item in legends:
        rect = _first_child(item, "rect")
        text = _first_child(item, "text")
        if rect is None or text is None or not item.get("id"):
            continue
        box_x = float(rect.get("x"))
        # The box, the space after it, then the text.
        full_width = float(text.get("x")) - box_x
        full_width += _text_width(text.text or "", LEGEND_FONT_SIZE)
        items.append((item.get("id"), box_x, full_width))
    scale = NARROW_LEGEND_SIZE / LEGEND_FONT_SIZE
    gap = 1.2 * NARROW_LEGEND_SIZE
    widths = [scale * full_width for _id, _x, full_width in items]
    room = width - 2 * NARROW_PADDING
    total = sum(widths) + gap * (len(items) - 1)
    if total > room:
        scale *= room / total
        widths = [w * room / total for w in widths]
        gap *= room / total
        total = room
    # Box and text run from 0.5 to about 16 units down at full size.
    row_y = height - NARROW_PADDING - 16 * scale
    rules, x = [], (width - total) / 2
    for (item_id, item_x, _full_width), item_width in zip(items, widths, strict=True):
        shift_x = x - offset_x - scale * item_x
        rules.append(
            f"{chart} #{item_id} {{ transform: translate({shift_x:.2f}px, "
            f"{row_y - offset_y:.2f}px) scale({scale:.3f}); }}"
        )
        x += item_width + gap
    return rules, row_y - 2 * NARROW_PADDING
