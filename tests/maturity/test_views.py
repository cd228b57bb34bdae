"""Tests of the read-only catalogue pages."""

import pytest
from django.test import Client
from django.urls import reverse

from maturity.models import Framework

pytestmark = pytest.mark.django_db


def url(name, framework, **kwargs):
    return reverse(
        f"maturity:{name}",
        kwargs={"code": framework.code, "version": framework.version, **kwargs},
    )


def page_urls(framework):
    return [
        reverse("maturity:catalogue"),
        url("framework-detail", framework),
        url("levels", framework),
        url("principles", framework),
        url("search", framework),
        url("module-detail", framework, module="STR"),
        url("module-detail", framework, module="LC"),
    ]


def test_every_page_answers_a_logged_in_user(client, framework):
    for address in page_urls(framework):
        response = client.get(address)
        assert response.status_code == 200, address


def test_every_page_sends_an_anonymous_visitor_to_log_in(framework):
    anonymous = Client()
    for address in page_urls(framework):
        response = anonymous.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login")), address


def test_catalogue_lists_modules_in_order_with_stages(client, framework):
    response = client.get(reverse("maturity:catalogue"))
    html = response.content.decode()

    assert [m.code for m in response.context["modules"]][:5] == [
        "STR",
        "ORG",
        "SIA",
        "LC",
        "ERS",
    ]
    assert "环境保护和社会责任" in html
    assert "Environmental Protection and Social Responsibility" in html
    assert f'href="{url("module-detail", framework, module="LC")}#LC-MON"' in html
    assert "style=" not in html


def test_catalogue_without_any_framework_shows_an_empty_state(client):
    Framework.objects.all().delete()

    response = client.get(reverse("maturity:catalogue"))

    assert response.status_code == 200
    assert "No version of the standard is installed yet." in response.content.decode()


def test_module_page_shows_requirements_by_level(client, framework):
    response = client.get(url("module-detail", framework, module="STR"))
    html = response.content.decode()

    assert 'id="STR-4.1"' in html
    assert (
        "组织制定的管理制度能够全面涵盖人工智能模型开发、实施和使用的各个环节。" in html
    )
    assert 'id="level-4"' in html
    assert "策略" in html
    assert "Strategy" in html


def test_lifecycle_page_shows_every_stage_with_sub_points_and_notes(client, framework):
    response = client.get(url("module-detail", framework, module="LC"))
    html = response.content.decode()

    for code in ("LC-REQ", "LC-MON", "LC-RET"):
        assert f'id="{code}"' in html
    assert 'id="LC-MON-3.7"' in html
    assert 'id="LC-MON-level-3"' in html
    assert "PSI、IV、WOE、KS、ROC、AUC" in html
    assert 'class="note-mark">注<' in html


def test_module_page_lists_sub_points(client, framework):
    response = client.get(url("module-detail", framework, module="ICM"))
    html = response.content.decode()

    assert '<ol class="requirement__items">' in html
    assert "<li>人工智能模型的预期用途；</li>" in html


def test_unknown_module_or_version_is_not_found(client, framework):
    assert client.get(url("module-detail", framework, module="NOPE")).status_code == 404
    missing = reverse("maturity:levels", kwargs={"code": "AIMRG", "version": "9.9"})
    assert client.get(missing).status_code == 404


def test_module_page_runs_a_constant_number_of_queries(
    client, framework, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(url("module-detail", framework, module="LC"))
    assert len(response.context["stages"]) == 9


def test_catalogue_page_runs_a_constant_number_of_queries(
    client, framework, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(reverse("maturity:catalogue"))


def test_levels_page_shows_definitions(client, framework):
    html = client.get(url("levels", framework)).content.decode()

    for name in ("初始级", "基础级", "增强级", "优秀级", "卓越级"):
        assert name in html
    assert "前瞻引领，在第四级的基础上" in html
    assert "<li>牵头/主导国际相关标准制定。</li>" in html


def test_levels_are_ranked_as_the_standard_writes_them(client, framework):
    chinese = client.get(
        url("levels", framework), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    english = client.get(url("levels", framework)).content.decode()

    for rank in ("第一级", "第二级", "第三级", "第四级", "第五级"):
        assert rank in chinese
    assert "第1级" not in chinese
    assert "Level 5" in english


def test_principles_page_lists_five_principles(client, framework):
    response = client.get(url("principles", framework))

    assert len(response.context["principles"]) == 5
    assert "可监督、可问责、可审计" in response.content.decode()


def search(client, framework, q):
    return client.get(url("search", framework), {"q": q})


def test_search_finds_a_requirement_by_code(client, framework):
    response = search(client, framework, "str-4.1")

    codes = [result["requirement"].code for result in response.context["results"]]
    assert codes == ["STR-4.1"]
    target = url("module-detail", framework, module="STR") + "#STR-4.1"
    assert f'href="{target}"' in response.content.decode()


def test_search_finds_requirements_by_text(client, framework):
    response = search(client, framework, "苏纳法")

    results = response.context["results"]
    assert [result["requirement"].code for result in results] == ["LC-REV-3.6"]
    assert "<mark>苏纳法</mark>" in response.content.decode()
    target = url("module-detail", framework, module="LC") + "#LC-REV-3.6"
    assert f'href="{target}"' in response.content.decode()


def test_search_covers_notes(client, framework):
    response = search(client, framework, "GINI")

    codes = [result["requirement"].code for result in response.context["results"]]
    assert codes == ["LC-MON-3.3"]


def test_search_without_a_hit_shows_an_empty_state(client, framework):
    response = search(client, framework, "区块链量子")

    assert response.status_code == 200
    assert response.context["results"] == []
    assert "No requirement matches" in response.content.decode()


def test_search_escapes_the_query(client, framework):
    html = search(client, framework, "<script>").content.decode()

    assert "<script>" not in html.split("<main", 1)[1]


def test_version_picker_appears_with_two_versions(client, framework):
    Framework.objects.create(
        code="AIMRG", version="2.0", title="t", title_en="t", source="s"
    )
    html = client.get(url("levels", framework)).content.decode()

    assert 'class="version-picker"' in html
    assert (
        reverse("maturity:framework-detail", kwargs={"code": "AIMRG", "version": "2.0"})
        in html
    )


def test_search_with_two_words_marks_both(client, framework):
    response = search(client, framework, "灰度 发布")

    codes = [result["requirement"].code for result in response.context["results"]]
    html = response.content.decode()
    assert {"LC-DEP-3.3", "LC-RET-3.3"} <= set(codes)
    assert "<mark>灰度</mark><mark>发布</mark>" in html
    assert "No requirement matches" not in html


def test_search_by_an_english_stage_name_marks_the_name(client, framework):
    response = search(client, framework, "deployment")

    html = response.content.decode()
    assert len(response.context["results"]) == 22
    assert "Model Lifecycle · <mark>Deployment</mark> and Storage" in html
    assert "22 requirements match “deployment”." in html
