"""Login throttling and the interface language of the assessment pages."""

from django.urls import reverse
from django.utils import translation

from tests.assessments.assessment_factories import PASSWORD


def test_it_locks_out_after_repeated_failures(people, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    login = reverse("login")
    username = people.assessor.username

    for _ in range(3):
        client.post(login, {"username": username, "password": "wrong"})
    response = client.post(login, {"username": username, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_logs_in_below_the_limit(people, client):
    login = reverse("login")

    client.post(login, {"username": people.assessor.username, "password": "wrong"})
    response = client.post(
        login, {"username": people.assessor.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(people.assessor.pk)


def test_it_renders_chinese_labels_for_a_chinese_browser(people, login):
    client = login(people.assessor)
    url = reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()

    for label in ("完全满足", "部分满足", "不满足", "不适用"):
        assert f">{label}</option>" in body


def test_it_renders_english_labels_for_an_english_browser(people, login):
    client = login(people.assessor)
    url = reverse("assessments:questionnaire", args=[people.assessment.pk, "STR"])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">Satisfied</option>" in body
    assert "完全满足" not in body


def test_the_language_switch_overrides_the_browser(people, login):
    client = login(people.assessor)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    url = reverse("assessments:assessment-detail", args=[people.assessment.pk])

    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "提交审核" in body
    assert "草稿" in body


def test_every_status_label_has_a_chinese_translation():
    from assessments.models import AnswerStatus, Role, Status

    with translation.override("zh-hans"):
        labels = [str(c.label) for c in (*AnswerStatus, *Status, *Role)]
    with translation.override("en"):
        english = [str(c.label) for c in (*AnswerStatus, *Status, *Role)]

    assert all(zh != en for zh, en in zip(labels, english, strict=True))
