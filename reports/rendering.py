"""Turn the content of a report into HTML and PDF: charts, template, metadata."""

from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils import translation

from maturity.models import Requirement
from reports import charts, vocabulary
from reports.pdf import (
    Contents,
    RenderedPDF,
    render_document,
)
from reports.selectors import ReportContext

TEMPLATE = "reports/report.html"
CONTENTS_TEMPLATE = "reports/contents.html"
REPORT_TITLE = vocabulary.Label(
    "人工智能模型风险治理能力成熟度评估报告",
    "AI Model Risk Governance Capability Maturity Assessment Report",
)
# The radar needs three axes; a framework with fewer modules gets bars.
RADAR_MIN_MODULES = 3


@dataclass(frozen=True)
class Chart:
    src: str
    caption: str


@dataclass(frozen=True)
class ContentsEntry:
    """A line of the table of contents: a chapter (depth 0), module or stage."""

    anchor: str
    title: str
    title_en: str
    depth: int = 0
    page: int | None = None


def contents_entries(context: ReportContext) -> list[ContentsEntry]:
    """Return the lines of the table of contents, without page numbers."""
    modules = []
    for number, module in enumerate(context.modules, 1):
        modules.append(
            ContentsEntry(
                module.anchor,
                f"4.{number} {module.code} {module.name}",
                module.name_en,
                1,
            )
        )
        modules += [
            ContentsEntry(stage.anchor, f"{stage.code} {stage.name}", stage.name_en, 2)
            for stage in module.stages
        ]
    return [
        ContentsEntry("summary", "1 执行摘要", "Executive summary"),
        ContentsEntry("charts", "2 成熟度图示", "Charts"),
        ContentsEntry("overview", "3 各模块总览", "Modules at a glance"),
        ContentsEntry("modules", "4 各模块评估结果", "Results by module"),
        *modules,
        ContentsEntry("findings", "5 审核发现", "Findings"),
        ContentsEntry("evidence", "6 证据索引", "Evidence index"),
        ContentsEntry(
            "appendix", "附录 级别定义与评分规则", "Appendix: levels and scoring rule"
        ),
    ]


def _series(areas, reading_names=("self", "verified")) -> list[charts.Series]:
    # The legend speaks both languages, as the rest of the report does.
    series = [
        charts.Series(
            _both(vocabulary.READINGS[name]),
            [getattr(area, name).level.number for area in areas],
            "self_assessed" if name == "self" else "verified",
        )
        for name in reading_names
    ]
    targets = [area.target.number if area.target else None for area in areas]
    if any(value is not None for value in targets):
        target = _both(vocabulary.READINGS["target"])
        series.append(charts.Series(target, targets, "target"))
    return series


def _both(label) -> str:
    return f"{label.zh} {label.en}"


def _axis_name(area) -> str:
    """Return an area as a chart names it: its code, which the tables give in
    both languages, and its name in the standard's words."""
    return f"{area.code} {area.name}"


def report_charts(context: ReportContext) -> list[Chart]:
    """Return the module and stage charts of a report as data: URIs.

    The verified reading is drawn once an auditor has given a verdict.
    """
    readings = ("self", "verified") if context.audited else ("self",)
    modules = context.modules
    names = [_axis_name(module) for module in modules]
    if len(modules) >= RADAR_MIN_MODULES:
        svg = charts.module_radar(names, _series(modules, readings))
    else:
        svg = charts.stage_bars(names, _series(modules, readings), values=False)
    if context.audited:
        caption = (
            "图 1  各模块成熟度级别：自评、核验与目标 "
            "Figure 1. Module levels: self-assessed, verified, target"
        )
    else:
        caption = (
            "图 1  各模块成熟度级别：自评与目标 "
            "Figure 1. Module levels: self-assessed, target"
        )
    result = [Chart(charts.svg_data_uri(svg), caption)]
    stages = context.stages
    if stages:
        svg = charts.stage_bars(
            # Nine bars leave room for the stages' short names only; the
            # table below gives their codes and English names.
            [stage.name for stage in stages],
            _series(stages, readings),
            values=False,
        )
        result.append(
            Chart(
                charts.svg_data_uri(svg),
                "图 2  模型生命周期各阶段成熟度级别 "
                "Figure 2. Levels of the lifecycle stages",
            )
        )
    return result


def report_html(
    context: ReportContext,
    *,
    number: str = "",
    charts: list[Chart] | None = None,
    contents_pages: int = 1,
) -> str:
    """Return the HTML of the report; ``number`` is the record's identifier.

    The table of contents is left as ``contents_pages`` empty pages, for
    :func:`contents_html` to fill once the other pages are laid out.
    """
    with translation.override("zh-hans"):
        return render_to_string(
            TEMPLATE,
            {
                "report": context,
                "a": context.assessment,
                "number": number,
                "title": REPORT_TITLE,
                "charts": report_charts(context) if charts is None else charts,
                "contents_pages": range(contents_pages),
            },
        )


def contents_html(context: ReportContext, pages: dict[str, int]) -> str:
    """Return the table of contents of the report, numbered from ``pages``."""
    entries = [
        replace(entry, page=pages.get(entry.anchor))
        for entry in contents_entries(context)
    ]
    with translation.override("zh-hans"):
        return render_to_string(
            CONTENTS_TEMPLATE,
            {
                "report": context,
                "a": context.assessment,
                "title": REPORT_TITLE,
                "entries": entries,
            },
        )


def render_report(context: ReportContext, *, number: str = "") -> RenderedPDF:
    """Render the PDF of the report; its metadata names the assessment."""
    assessment = context.assessment
    charts = report_charts(context)
    return render_document(
        Contents(
            document=lambda pages: report_html(
                context, number=number, charts=charts, contents_pages=pages
            ),
            contents=lambda numbers: contents_html(context, numbers),
        ),
        title=f"{assessment.title} · {REPORT_TITLE.zh}",
        author=assessment.organisation.name,
        subject=f"{assessment.framework.title} {assessment.framework.version}",
        keywords=[assessment.framework.code, "成熟度评估", "maturity assessment"],
    )


PLAIN_BLOCKS_TEMPLATE = "reports/plain_blocks.html"


def plain_blocks_html(framework, context: ReportContext | None = None) -> str:
    """Return the requirement texts of ``framework`` as plain blocks.

    Same font and stylesheet as the report, none of its structure: the
    yardstick the benchmark measures the full report's render against. With
    the ``context`` of a report, each block also carries the texts the report
    prints for that requirement's answer: status, justification, evidence
    numbers and the auditor's comment.
    """
    answers = _answer_texts(context) if context else {}
    requirements = [
        {
            "code": requirement.code,
            "text": requirement.text,
            "notes": [part["text"] for part in requirement.parts]
            + answers.get(requirement.code, []),
        }
        for requirement in Requirement.objects.filter(framework=framework).order_by(
            "sequence"
        )
    ]
    return render_to_string(
        PLAIN_BLOCKS_TEMPLATE,
        {"title": framework.title, "requirements": requirements},
    )


def _answer_texts(context: ReportContext) -> dict[str, list[str]]:
    """Map each requirement code to the answer texts its report block shows."""
    texts = {}
    for module in context.modules:
        for area in module.stages or [module]:
            for group in area.level_groups:
                for entry in group.requirements:
                    lines = [
                        " ".join(
                            [entry.status_label.zh, entry.review_label.zh]
                            + [entry.justification]
                            + [ref.number for ref in entry.evidence]
                            + entry.findings
                        )
                    ]
                    if entry.review and entry.review.comment:
                        lines.append(entry.review.comment)
                    texts[entry.code] = lines
    return texts


def render_plain_blocks(framework, context: ReportContext | None = None) -> RenderedPDF:
    """Render :func:`plain_blocks_html` the way reports are rendered."""
    return render_document(plain_blocks_html(framework, context), title=framework.title)
