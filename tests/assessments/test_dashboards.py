"""The dashboard and the organisation page show what the scoring service returns."""

import base64
import re

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from assessments.models import AnswerStatus, Verdict
from assessments.selectors import dashboards
from maturity.catalogues import get_catalogue
from maturity.models import Framework
from maturity.scoring import score
from tests.assessments.assessment_factories import (
    AnswerFactory,
    AssessmentFactory,
    ReviewFactory,
    requirement,
    set_status,
)

CHART = re.compile(
    r'<img class="chart(?: chart--wide| chart--narrow)?" '
    r'src="data:image/svg\+xml;base64,([^"]+)" alt="[^"]+">'
)
CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f-]{27}")
LEVEL_ROW = re.compile(
    r'<tr data-level="(\d)"><th scope="row">([^<]+)</th>'
    r'<td data-count="self">(\d+)</td><td data-count="verified">(\d+|—)</td>'
)


@pytest.fixture
def aimrg(db):
    return Framework.objects.latest_version("AIMRG")


def figure(body, name):
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', body)
    return match.group(1).strip()


def _dashboard(client, assessment, language="zh-hans", **params):
    url = reverse("assessments:assessment-dashboard", args=[assessment.pk])
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _charts(body):
    """Return the SVG of every chart on the page: the radar, the bars, the rows.

    pygal gives every drawing a random id; it is left out, so that two
    drawings of the same figures compare equal.
    """
    return [
        CHART_ID.sub("chart", base64.b64decode(image).decode())
        for image in CHART.findall(body)
    ]


def _module_cells(body):
    """Return module or stage code -> (self, verified, target) as shown."""
    cells = {}
    for code, row in re.findall(
        r'<tr[^>]*data-module="([^"]+)">(.*?)</tr>', body, re.S
    ):
        cells[code] = tuple(
            re.search(rf'data-reading="{reading}">(\d|—)<', row).group(1)
            for reading in ("self", "verified", "target")
        )
    return cells


@pytest.fixture
def reviewed(people, aimrg):
    """An assessment of the real standard, answered and partly reviewed.

    Every requirement is answered without evidence rows (the dashboard does
    not need them): satisfied, except a few partial ones; the auditor
    accepts all but every fifth, which is rejected, and leaves the
    lifecycle's last stage unreviewed.
    """
    assessment = AssessmentFactory(
        organisation=people.org_a,
        framework=aimrg,
        created_by=people.assessor,
        targets={"STR": 4, "ORG": 2, "LC": 3},
    )
    partial = {"STR-3.1", "ORG-2.1", "LC-DAT-2.1", "TEX-1.1"}
    statuses = {}
    verified = {}
    for index, ref in enumerate(get_catalogue(aimrg).requirements):
        status = "partial" if ref.code in partial else "satisfied"
        stored = AnswerFactory(
            assessment=assessment,
            requirement=requirement(assessment, ref.code),
            status=status,
        )
        statuses[ref.code] = status
        if ref.stage == "LC-RET":
            continue
        verdict = Verdict.REJECTED if index % 5 == 0 else Verdict.ACCEPTED
        ReviewFactory(
            answer=stored, verdict=verdict, comment="x", reviewer=people.auditor
        )
        if verdict == Verdict.ACCEPTED:
            verified[ref.code] = status
    set_status(assessment)
    return assessment, statuses, verified


def test_it_shows_what_the_scoring_service_returns(people, login, reviewed):
    assessment, statuses, verified = reviewed
    catalogue = get_catalogue(assessment.framework)
    targets = dict.fromkeys(catalogue.modules, 3) | {"STR": 4, "ORG": 2}
    self_result = score(catalogue, statuses, targets)
    verified_result = score(catalogue, verified, targets)

    body = _dashboard(login(people.viewer), assessment)

    assert figure(body, "organisation.level") == str(self_result.organisation.level)
    assert figure(body, "verified.organisation.level") == str(
        verified_result.organisation.level
    )
    assert figure(body, "organisation.mean") == str(self_result.organisation.mean)
    assert figure(body, "verified.organisation.mean") == str(
        verified_result.organisation.mean
    )
    rows = {
        int(level): (int(n), int(v)) for level, _name, n, v in LEVEL_ROW.findall(body)
    }
    assert rows == {
        level: (
            self_result.organisation.distribution[level],
            verified_result.organisation.distribution[level],
        )
        for level in range(6)
    }
    cells = _module_cells(body)
    for code in catalogue.modules:
        module = self_result.modules[code]
        assert cells[code] == (
            str(module.level),
            str(verified_result.modules[code].level),
            str(module.target),
        ), code
    for stage in catalogue.stages["LC"]:
        assert cells[stage][:2] == (
            str(self_result.area(stage).level),
            str(verified_result.area(stage).level),
        ), stage
    shown_gaps = re.findall(r'data-gap="([^"]+)"', body)
    expected_gaps = [
        code
        for module in self_result.modules.values()
        for codes in module.gaps.values()
        for code in codes
    ]
    assert shown_gaps == expected_gaps
    assert "STR-3.1" in shown_gaps


def test_it_lists_the_gaps_of_the_verified_reading_on_request(people, login, reviewed):
    assessment, _statuses, verified = reviewed
    catalogue = get_catalogue(assessment.framework)
    targets = dict.fromkeys(catalogue.modules, 3) | {"STR": 4, "ORG": 2}
    result = score(catalogue, verified, targets)

    body = _dashboard(login(people.assessor), assessment, gaps="verified")

    expected = [
        code
        for module in result.modules.values()
        for codes in module.gaps.values()
        for code in codes
    ]
    assert re.findall(r'data-gap="([^"]+)"', body) == expected
    first = expected[0]
    area = requirement(assessment, first).area_code
    link = reverse("assessments:questionnaire", args=[assessment.pk, area])
    assert f'href="{link}#{first}"' in body


@pytest.mark.parametrize(
    ("language", "module", "stage"),
    [("zh-hans", "模型安全", "需求分析"), ("en", ">SIA<", ">LC-REQ<")],
)
def test_it_draws_the_radar_and_the_stage_bars(
    people, login, reviewed, language, module, stage
):
    assessment, _statuses, _verified = reviewed

    body = _dashboard(login(people.viewer), assessment, language=language)

    charts = _charts(body)
    assert len(charts) == 3
    radar, bars, rows = charts
    assert module in radar
    assert stage in bars
    assert stage in rows
    legend = ["Self-assessed", "Verified", "Target"]
    if language != "en":
        legend = ["自评", "核验", "目标"]
    for svg in (radar, bars, rows):
        assert all(label in svg for label in legend)
        assert "<script" not in svg


def test_the_radar_lays_itself_out_anew_on_a_phone(people, login, reviewed):
    assessment, _statuses, _verified = reviewed

    radar, *_stages = _charts(_dashboard(login(people.viewer), assessment))

    narrow = re.search(r"@media \(max-width: (\d+)px\) \{(.*?)\}\s*</style>", radar)
    assert narrow
    assert 375 < int(narrow.group(1)) < 700
    assert ".axis.x text { transform: scale(" in narrow.group(2)


@pytest.fixture
def drawings(monkeypatch):
    """Count the charts drawn, as opposed to those taken from the cache."""
    drawn = []

    def counted(draw):
        def chart(axes, series):
            drawn.append(draw.__name__)
            return draw(axes, series)

        chart.__name__ = draw.__name__
        return chart

    for name in ["module_radar", "stage_bars", "stage_rows"]:
        monkeypatch.setattr(dashboards, name, counted(getattr(dashboards, name)))
    return drawn


def test_it_draws_each_chart_once_for_the_same_figures(
    people, login, reviewed, drawings
):
    assessment, _statuses, _verified = reviewed
    client = login(people.viewer)
    cache.clear()

    first = _charts(_dashboard(client, assessment))
    second = _charts(_dashboard(client, assessment))

    assert sorted(drawings) == ["module_radar", "stage_bars", "stage_rows"]
    assert second == first


def test_it_draws_the_charts_again_when_a_level_changes(
    people, login, reviewed, drawings
):
    assessment, _statuses, _verified = reviewed
    client = login(people.viewer)
    cache.clear()
    before = _dashboard(client, assessment)
    radar, *stages = _charts(before)
    assert _module_cells(before)["STR"][0] != "0"

    assessment.answers.filter(requirement__code="STR-1.1").update(
        status=AnswerStatus.NOT_SATISFIED
    )
    body = _dashboard(client, assessment)
    changed_radar, *same_stages = _charts(body)
    cache.clear()
    fresh_radar, *fresh_stages = _charts(_dashboard(client, assessment))

    assert _module_cells(body)["STR"][0] == "0"
    assert changed_radar != radar
    assert changed_radar == fresh_radar
    assert same_stages == stages == fresh_stages
    assert drawings.count("module_radar") == 3


def test_it_draws_the_charts_when_the_cache_is_unreachable(
    people, login, reviewed, monkeypatch
):
    assessment, _statuses, _verified = reviewed
    client = login(people.viewer)
    expected = _charts(_dashboard(client, assessment))

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("Connection refused.")

    monkeypatch.setattr(dashboards.cache, "get_many", unreachable)
    monkeypatch.setattr(dashboards.cache, "set_many", unreachable)
    charts = _charts(_dashboard(client, assessment))

    assert charts == expected


def test_it_keeps_the_charts_of_each_language_apart(people, login, reviewed):
    assessment, _statuses, _verified = reviewed
    client = login(people.viewer)

    chinese, *_stages = _charts(_dashboard(client, assessment, language="zh-hans"))
    english, *_stages = _charts(_dashboard(client, assessment, language="en"))

    assert "模型安全" in chinese
    assert ">SIA<" in english
    assert "模型安全" not in english


@pytest.mark.parametrize(
    ("language", "zero", "second"),
    [
        ("zh-hans", "未达到初始级", "第二级 基础级"),
        ("en", "Not yet Initial", "Level 2 Basic"),
    ],
)
def test_it_names_the_levels(people, login, aimrg, language, zero, second):
    assessment = AssessmentFactory(
        organisation=people.org_a, framework=aimrg, created_by=people.assessor
    )

    body = _dashboard(login(people.viewer), assessment, language=language)

    assert figure(body, "organisation.level") == "0"
    assert figure(body, "organisation.name") == zero
    names = {level: name for level, name, _n, _v in LEVEL_ROW.findall(body)}
    assert names["2"] == second


def _organisation_page(client) -> str:
    url = reverse("assessments:organisation-detail", args=["org-a"])
    return client.get(url).content.decode()


def _organisation_row(body: str, assessment) -> str:
    """Return the row of ``assessment`` in the organisation's list."""
    return re.search(
        rf'<tr data-assessment="{assessment.pk}">(.*?)</tr>', body, re.S
    ).group(1)


def test_it_lists_the_organisation_assessments_with_progress(people, login):
    # Level 1 of every module and stage, and one more: the organisation is at 1.
    for code in ["STR-1.1", "STR-1.2", "STR-2.1", "LC-S1-1.1", "LC-S2-1.1"]:
        AnswerFactory(
            assessment=people.assessment,
            requirement=requirement(people.assessment, code),
        )
    first = people.assessment.answers.get(requirement__code="STR-1.1")
    ReviewFactory(answer=first, reviewer=people.auditor)

    body = _organisation_page(login(people.viewer))
    row = _organisation_row(body, people.assessment)
    assert re.search(r"data-progress>(\d+ / \d+)<", row).group(1) == "5 / 20"
    assert re.search(r'data-reading="self">(\d)<', row).group(1) == "1"
    assert re.search(r'data-reading="verified">(\d)<', row).group(1) == "0"
    assert "第一级 初始级" in row
    assert people.assessment_b.title not in body


def test_the_organisation_list_shows_no_verified_level_before_any_verdict(
    people, login
):
    for code in ["STR-1.1", "STR-1.2", "LC-S1-1.1", "LC-S2-1.1"]:
        AnswerFactory(
            assessment=people.assessment,
            requirement=requirement(people.assessment, code),
        )

    body = _organisation_page(login(people.viewer))
    row = _organisation_row(body, people.assessment)
    assert re.search(r'data-reading="self">(\d)<', row).group(1) == "1"
    assert '<span class="muted" data-reading="verified">尚未审核</span>' in row
