"""The questionnaire workbook: download, fill in offline, preview, confirm."""

import datetime
import html
import io
import re
import zipfile

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.interchange import staging
from assessments.models import Answer, Assessment, EvidenceLink, Status
from assessments.selectors.submission import PROBLEM_MESSAGES, submission_problems
from maturity.models import Framework
from tests.assessments.assessment_factories import (
    PDF_BYTES,
    AssessmentFactory,
    answer,
    build_framework,
    fingerprint,
    requirement,
)
from tests.interchange.interchange_helpers import (
    ENGLISH,
    JUSTIFICATION,
    STATUS,
    VERSION,
    XLSX,
    content_of,
    damaged,
    fill,
    row_of,
)


def download(client, assessment, language="en"):
    response = client.get(
        reverse("interchange:export-xlsx", args=[assessment.pk]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(client, assessment, content, name="questionnaire.xlsx"):
    return client.post(
        reverse("interchange:questionnaire-upload", args=[assessment.pk]),
        {"file": SimpleUploadedFile(name, content, XLSX)},
        **ENGLISH,
    )


def preview(client, assessment):
    return client.get(
        reverse("interchange:questionnaire-preview", args=[assessment.pk]), **ENGLISH
    )


def confirmation(page) -> dict[str, str]:
    """Return the fields the confirm form of a preview page sends."""
    return {
        "upload": re.search(r'name="upload" value="([0-9a-f]{16})"', page).group(1),
        "plan": re.search(r'name="plan" value="([0-9a-f]{64})"', page).group(1),
    }


def confirm(client, assessment, fields):
    return client.post(
        reverse("interchange:questionnaire-confirm", args=[assessment.pk]),
        fields,
        follow=True,
        **ENGLISH,
    )


def section(page, heading) -> str:
    """Return the part of ``page`` from the section headed ``heading`` on."""
    start = page.index(f">{heading}</h2>")
    end = page.find("</section>", start)
    return page[start:end]


def stored(assessment, code):
    return Answer.objects.get(assessment=assessment, requirement__code=code)


@pytest.fixture
def started(people):
    """Answer two requirements of the first assessment of organisation A."""
    answer(people.assessment, "STR-1.1", justification="制度已发布。")
    answer(people.assessment, "STR-1.2", "partial", evidence=False)
    return people.assessment


# ------------------------------------------------------------- the download


def test_the_workbook_lists_every_requirement(started, login, people):
    workbook = download(login(people.assessor), started)

    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Code",
        "Module",
        "Stage",
        "Level",
        "Requirement",
        "Status",
        "Justification",
    )
    assert [row[0] for row in rows[1:]][:3] == ["STR-1.1", "STR-1.2", "STR-2.1"]
    assert len(rows) == 21
    assert rows[1][1:7] == (
        "STR Strategy",
        None,
        1,
        "应建立第1级的第1项策略。\n子项一；\n注释文字",
        "Satisfied",
        "制度已发布。",
    )
    assert rows[2][5:8] == ("Partially satisfied", None, 1)
    assert rows[3][5:8] == (None, None, 0)
    lifecycle = next(row for row in rows if row[0] == "LC-S2-3.1")
    assert lifecycle[1:4] == ("LC Lifecycle", "LC-S2 Stage 2", 3)


def test_the_status_is_a_list_and_the_rest_is_locked(started, login, people):
    workbook = download(login(people.assessor), started)

    sheet = workbook.worksheets[0]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == (
        '"Satisfied,Partially satisfied,Not satisfied,Not applicable"'
    )
    assert str(validation.sqref) == "F2:F21"
    assert validation.error == (
        "Choose a status from the list, or leave the cell empty to mark the "
        "requirement not answered."
    )
    assert sheet.protection.sheet
    assert sheet.cell(2, STATUS).protection.locked is False
    assert sheet.cell(2, JUSTIFICATION).protection.locked is False
    assert sheet.cell(2, 1).protection.locked is True
    assert sheet.column_dimensions["H"].hidden
    assert sheet.column_dimensions["I"].hidden
    meta = workbook["portal"]
    assert meta.sheet_state == "veryHidden"
    values = dict(meta.iter_rows(values_only=True))
    assert values["framework"] == "TST"
    assert values["framework_version"] == "1"
    assert values["assessment"] == str(started.pk)
    assert len(values["fingerprint"]) == 32


def test_a_chinese_download_lists_chinese_statuses(started, login, people):
    workbook = download(login(people.assessor), started, language="zh-hans")

    sheet = workbook.worksheets[0]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"完全满足,部分满足,不满足,不适用"'
    assert sheet.cell(2, STATUS).value == "完全满足"
    assert sheet.cell(2, 2).value == "STR 策略"


def test_viewers_and_auditors_may_download(started, login, people):
    for persona in (people.viewer, people.auditor):
        workbook = download(login(persona), started)
        assert workbook.worksheets[0].cell(2, 1).value == "STR-1.1"


def test_text_that_looks_like_a_formula_stays_text(people, login):
    answer(
        people.assessment, "STR-1.1", "partial", evidence=False, justification="=1+1"
    )

    workbook = download(login(people.assessor), people.assessment)

    cell = workbook.worksheets[0].cell(2, JUSTIFICATION)
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


# ------------------------------------------------------------- round trip


def test_it_previews_and_saves_new_and_changed_answers(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-1.1", "Partially satisfied", "仅部分部门执行")
    fill(workbook, "STR-2.1", "Not applicable", "无此业务")
    fill(workbook, "LC-S1-1.1", "Satisfied")

    response = upload(client, started, content_of(workbook))

    assert response.status_code == 302
    preview_url = reverse("interchange:questionnaire-preview", args=[started.pk])
    assert re.fullmatch(rf"{preview_url}\?upload=[0-9a-f]{{16}}", response.url)
    page = client.get(response.url, **ENGLISH).content.decode()
    assert 'data-count="new">2<' in page
    assert 'data-count="changed">1<' in page
    assert 'data-count="conflicts">0<' in page
    assert 'data-count="unchanged">17<' in page
    new = section(page, "New answers")
    assert 'data-code="STR-2.1"' in new
    assert 'data-code="LC-S1-1.1"' in new
    assert "无此业务" in new
    changed = section(page, "Changed answers")
    assert 'data-code="STR-1.1"' in changed
    assert "制度已发布。" in changed
    assert "仅部分部门执行" in changed
    assert stored(started, "STR-1.1").status == "satisfied"

    response = confirm(client, started, confirmation(page))

    assert "Saved 3 answers from the questionnaire." in response.content.decode()
    changed_answer = stored(started, "STR-1.1")
    assert (changed_answer.status, changed_answer.justification) == (
        "partial",
        "仅部分部门执行",
    )
    assert changed_answer.version == 2
    assert changed_answer.updated_by == people.assessor
    assert stored(started, "STR-2.1").status == "not_applicable"
    assert stored(started, "LC-S1-1.1").version == 1
    assert stored(started, "STR-1.2").version == 1
    assert (
        staging.staged(client.session, assessment=started, user=people.assessor) is None
    )


def test_rows_left_as_downloaded_change_nothing(started, login, people):
    client = login(people.assessor)
    content = content_of(download(client, started))

    upload(client, started, content)
    page = preview(client, started).content.decode()

    assert 'data-count="unchanged">20<' in page
    assert "Nothing to save" in page
    assert 'name="plan"' not in page


def test_an_emptied_status_cell_clears_the_status(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    row = row_of(workbook, "STR-1.1")
    workbook.worksheets[0].cell(row, STATUS).value = None

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    changed = section(page, "Changed answers")
    assert 'data-code="STR-1.1"' in changed
    assert 'class="badge badge--satisfied">Satisfied<' in changed
    assert 'class="badge badge--unanswered">Unanswered<' in changed
    assert "not answered" not in changed

    confirm(client, started, confirmation(page))

    cleared = stored(started, "STR-1.1")
    assert (cleared.status, cleared.justification) == ("", "制度已发布。")


def test_a_new_answer_without_a_status_previews_as_unanswered(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", justification="尚在评估")

    upload(client, started, content_of(workbook))
    new = section(preview(client, started).content.decode(), "New answers")

    assert 'class="badge badge--unanswered">Unanswered<' in new


def test_a_requirement_with_a_draft_justification_is_new_once_answered(
    started, login, people
):
    answer(started, "STR-2.1", "", justification="草稿说明", evidence=False)
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert "STR-2.1" in section(page, "New answers")
    assert ">Changed answers</h2>" not in page


def test_statuses_are_read_in_either_language(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started, language="zh-hans")
    fill(workbook, "STR-2.1", "不适用", "无此业务")
    fill(workbook, "STR-2.2", "satisfied")

    upload(client, started, content_of(workbook))
    confirm(client, started, confirmation(preview(client, started).content.decode()))

    assert stored(started, "STR-2.1").status == "not_applicable"
    assert stored(started, "STR-2.2").status == "satisfied"


# ------------------------------------------------ what the preview warns of


def marked(page) -> dict[str, str]:
    """Return the code and problem of each row the preview marks as blocking."""
    return dict(
        re.findall(
            r'data-code="([^"]+)" class="change--blocking" data-problem="([a-z_]+)"',
            page,
        )
    )


def row_html(page, code) -> str:
    start = page.index(f'data-code="{code}"')
    return page[start : page.index("</tr>", start)]


def test_rows_that_would_keep_submission_back_are_marked(started, login, people):
    answer(started, "STR-2.2", "not_applicable", evidence=False, justification="无")
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-1.1", "Partially satisfied", "仅部分部门执行")
    fill(workbook, "STR-1.2", "Satisfied")
    fill(workbook, "STR-2.1", "Satisfied")
    row = fill(workbook, "STR-2.2")
    workbook.worksheets[0].cell(row, JUSTIFICATION).value = None
    fill(workbook, "STR-3.1", "Not applicable", "无此业务")

    upload(client, started, content_of(workbook))
    page = html.unescape(preview(client, started).content.decode())

    assert marked(page) == {
        "STR-1.2": "no_evidence",
        "STR-2.1": "no_evidence",
        "STR-2.2": "no_justification",
    }
    assert (
        "3 rows would keep the assessment from being submitted; you can still "
        "apply them and fix them afterwards." in page
    )
    assert str(PROBLEM_MESSAGES["no_evidence"]) in row_html(page, "STR-2.1")
    assert str(PROBLEM_MESSAGES["no_justification"]) in row_html(page, "STR-2.2")
    assert "row-problem" not in row_html(page, "STR-1.1")

    response = confirm(client, started, confirmation(page))

    assert "Saved 5 answers from the questionnaire." in response.content.decode()
    left = {
        problem.code: problem.kind
        for problem in submission_problems(started)
        if problem.code in {"STR-1.1", "STR-1.2", "STR-2.1", "STR-2.2", "STR-3.1"}
    }
    assert left == marked(page)


def test_carried_over_evidence_must_be_reconfirmed(started, login, people):
    carried = answer(started, "STR-2.1", "partial")
    EvidenceLink.objects.filter(answer=carried).update(needs_reconfirmation=True)
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")

    upload(client, started, content_of(workbook))
    page = html.unescape(preview(client, started).content.decode())

    assert marked(page) == {"STR-2.1": "unconfirmed_evidence"}
    assert str(PROBLEM_MESSAGES["unconfirmed_evidence"]) in row_html(page, "STR-2.1")
    assert (
        "1 row would keep the assessment from being submitted; you can still "
        "apply it and fix it afterwards." in page
    )
    assert 'name="plan"' in page


def test_an_emptied_status_is_marked_as_unanswered(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    row = row_of(workbook, "STR-1.2")
    workbook.worksheets[0].cell(row, STATUS).value = None

    upload(client, started, content_of(workbook))
    page = html.unescape(preview(client, started).content.decode())

    assert marked(page) == {"STR-1.2": "unanswered"}
    assert str(PROBLEM_MESSAGES["unanswered"]) in row_html(page, "STR-1.2")


def test_rows_that_keep_nothing_back_are_not_marked(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-1.1", "Satisfied", "制度已发布并执行。")
    fill(workbook, "STR-1.2", "Not applicable", "无此类模型")

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert 'data-count="changed">2<' in page
    assert marked(page) == {}
    assert "would keep the assessment from being submitted" not in page


def test_a_conflict_is_not_marked(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.2"),
        status="not_satisfied",
        justification="",
        base_version=1,
        actor=people.admin,
    )
    fill(workbook, "STR-1.2", "Satisfied")

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert 'data-count="conflicts">1<' in page
    assert marked(page) == {}
    assert "would keep the assessment from being submitted" not in page


def absent_note(page) -> tuple[str, list[str]]:
    """Return the sentence of the note on absent rows and the items it lists."""
    start = page.index('data-count="absent"')
    note = page[start : page.index("</div>", start)]
    sentence = re.search(r"<p>(.*?)</p>", note, re.S).group(1).strip()
    items = [item.strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", note, re.S)]
    return sentence, items


def without_rows(workbook, codes) -> None:
    sheet = workbook.worksheets[0]
    for row in sorted((row_of(workbook, code) for code in codes), reverse=True):
        sheet.delete_rows(row)


def test_rows_deleted_from_the_workbook_are_named(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-1.2", "Not satisfied")
    without_rows(workbook, ["LC-S1-1.1", "STR-1.1", "STR-2.2"])

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert 'data-count="unchanged">16<' in page
    assert absent_note(page) == (
        "3 requirements were not in the workbook and are left as they are:",
        ["STR-1.1", "STR-2.2", "LC-S1-1.1"],
    )

    confirm(client, started, confirmation(page))

    kept = stored(started, "STR-1.1")
    assert (kept.status, kept.version) == ("satisfied", 1)
    assert stored(started, "STR-1.2").status == "not_satisfied"


def test_one_deleted_row_is_named_in_the_singular(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    without_rows(workbook, ["STR-2.1"])

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert absent_note(page) == (
        "1 requirement was not in the workbook and is left as it is:",
        ["STR-2.1"],
    )


def test_many_deleted_rows_are_named_up_to_ten(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    codes = [row[0] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    without_rows(workbook, codes[1:13])

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert absent_note(page) == (
        "12 requirements were not in the workbook and are left as they are:",
        [*codes[1:11], "and 2 more"],
    )


def test_a_complete_workbook_names_no_absent_row(started, login, people):
    client = login(people.assessor)
    content = content_of(download(client, started))

    upload(client, started, content)
    page = preview(client, started).content.decode()

    assert 'data-count="absent"' not in page


# ------------------------------------------------------------- conflicts


def test_answers_changed_since_the_download_are_conflicts(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.1"),
        status="not_satisfied",
        justification="审计发现问题",
        base_version=1,
        actor=people.admin,
    )
    fill(workbook, "STR-1.1", "Satisfied", "制度已发布并执行。")
    fill(workbook, "STR-2.1", "Satisfied")

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert 'data-count="conflicts">1<' in page
    conflicts = section(page, "Conflicts")
    assert 'data-code="STR-1.1"' in conflicts
    assert "审计发现问题" in conflicts
    assert "制度已发布并执行。" in conflicts
    assert people.admin.username in conflicts

    response = confirm(client, started, confirmation(page))

    body = response.content.decode()
    assert "Saved 1 answer from the questionnaire." in body
    assert "1 answer was changed in the portal since the download" in body
    kept = stored(started, "STR-1.1")
    assert (kept.status, kept.justification, kept.version) == (
        "not_satisfied",
        "审计发现问题",
        2,
    )
    assert stored(started, "STR-2.1").status == "satisfied"


def test_a_row_left_alone_is_no_conflict(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.1"),
        status="partial",
        justification="",
        base_version=1,
        actor=people.admin,
    )

    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()

    assert 'data-count="conflicts">0<' in page
    assert 'data-count="unchanged">20<' in page


def test_a_change_between_preview_and_confirm_saves_nothing(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-1.1", "Not satisfied")
    fill(workbook, "STR-2.1", "Satisfied")
    upload(client, started, content_of(workbook))
    fields = confirmation(preview(client, started).content.decode())
    services.answer_save(
        assessment=started,
        requirement=requirement(started, "STR-1.1"),
        status="partial",
        justification="刚刚修改",
        base_version=1,
        actor=people.admin,
    )
    before = fingerprint()

    response = confirm(client, started, fields)

    body = response.content.decode()
    assert "Answers changed in the portal since the preview" in body
    assert fingerprint() == before
    assert 'data-count="conflicts">1<' in body
    assert "刚刚修改" in section(body, "Conflicts")


def test_a_confirm_without_the_preview_digest_saves_nothing(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    upload(client, started, content_of(workbook))
    page = preview(client, started).content.decode()
    before = fingerprint()

    response = confirm(client, started, {**confirmation(page), "plan": "0" * 64})

    assert (
        "Answers changed in the portal since the preview" in response.content.decode()
    )
    assert fingerprint() == before


def test_discarding_the_upload_forgets_it(started, login, people, private_storage):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    upload(client, started, content_of(workbook))
    kept = private_storage / staging.DIRECTORY
    assert len(list(kept.iterdir())) == 1

    client.post(reverse("interchange:questionnaire-cancel", args=[started.pk]))
    response = preview(client, started)

    assert response.status_code == 302
    assert response.url == reverse(
        "interchange:questionnaire-upload", args=[started.pk]
    )
    assert list(kept.iterdir()) == []
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


def test_another_user_cannot_use_an_upload(started, login, people):
    """The staged rows name their uploader: a copied token opens nothing."""
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    upload(client, started, content_of(workbook))
    fields = confirmation(preview(client, started).content.decode())
    kept = client.session[staging.SESSION_KEY]

    client = login(people.admin)
    session = client.session
    session[staging.SESSION_KEY] = kept
    session.save()

    assert preview(client, started).status_code == 302
    response = confirm(client, started, fields)
    assert "The questionnaire of that preview is no longer kept" in (
        response.content.decode()
    )
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


# ------------------------------------------------- several uploads at once


def two_previews(client, assessment, first, second):
    """Upload two workbooks of ``assessment``, as from two tabs; return both pages.

    ``first`` and ``second`` give each workbook's changes, code -> status.
    """
    pages = []
    for name, changes in (("a.xlsx", first), ("b.xlsx", second)):
        workbook = download(client, assessment)
        for code, status in changes.items():
            fill(workbook, code, status)
        response = upload(client, assessment, content_of(workbook), name=name)
        pages.append(client.get(response.url, **ENGLISH).content.decode())
    return pages


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_each_tab_confirms_the_workbook_it_previewed(started, login, people):
    client = login(people.assessor)
    page_a, page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"LC-S1-1.1": "Not satisfied"}
    )

    response = confirm(client, started, confirmation(page_a))

    assert "Saved 1 answer from the questionnaire." in messages_of(response)
    assert stored(started, "STR-2.1").status == "satisfied"
    assert not Answer.objects.filter(requirement__code="LC-S1-1.1").exists()
    assert (
        "Another uploaded questionnaire, “b.xlsx”, still waits: confirm or discard "
        "it from the Export tab." in messages_of(response)
    )

    response = confirm(client, started, confirmation(page_b))

    assert "Saved 1 answer from the questionnaire." in messages_of(response)
    assert stored(started, "LC-S1-1.1").status == "not_satisfied"
    assert stored(started, "STR-2.1").version == 1


def test_a_confirmation_naming_no_upload_saves_nothing(started, login, people):
    client = login(people.assessor)
    page_a, _page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"LC-S1-1.1": "Not satisfied"}
    )
    before = fingerprint()

    response = confirm(client, started, {"plan": confirmation(page_a)["plan"]})

    assert "Confirm from the preview page." in messages_of(response)
    assert fingerprint() == before


def test_a_preview_names_the_other_uploads_waiting(started, login, people):
    client = login(people.assessor)
    page_a, page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"LC-S1-1.1": "Not satisfied"}
    )
    upload_a = confirmation(page_a)["upload"]

    assert f'data-upload="{upload_a}"><a href="' in page_b
    assert f'preview/?upload={upload_a}">a.xlsx</a>' in page_b
    assert (
        "Another uploaded questionnaire waits too; confirming this one does not "
        "save it." in page_b
    )
    assert 'data-count="waiting"' not in page_a


def test_reloading_a_preview_shows_its_own_workbook(started, login, people):
    client = login(people.assessor)
    page_a, page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"LC-S1-1.1": "Not satisfied"}
    )
    upload_a = confirmation(page_a)["upload"]

    page = client.get(
        reverse("interchange:questionnaire-preview", args=[started.pk]),
        {"upload": upload_a},
        **ENGLISH,
    ).content.decode()

    assert confirmation(page) == confirmation(page_a)
    assert 'data-code="STR-2.1"' in section(page, "New answers")
    assert 'data-code="LC-S1-1.1"' not in page
    assert f'preview/?upload={confirmation(page_b)["upload"]}">b.xlsx</a>' in page


def test_confirming_both_workbooks_of_one_answer_saves_only_the_first(
    started, login, people
):
    client = login(people.assessor)
    page_a, page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"STR-2.1": "Not satisfied"}
    )
    confirm(client, started, confirmation(page_a))
    before = fingerprint()

    response = confirm(client, started, confirmation(page_b))

    body = response.content.decode()
    assert "Answers changed in the portal since the preview" in body
    assert fingerprint() == before
    assert 'data-count="conflicts">1<' in body
    assert (
        'class="muted upload-name" data-upload="{}">b.xlsx'.format(
            confirmation(page_b)["upload"]
        )
        in body
    )


def test_confirming_a_saved_upload_again_saves_nothing(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    response = upload(client, started, content_of(workbook), name="a.xlsx")
    fields = confirmation(client.get(response.url, **ENGLISH).content.decode())
    confirm(client, started, fields)
    before = fingerprint()

    response = confirm(client, started, fields)

    (message,) = messages_of(response)
    assert re.fullmatch(
        r"The questionnaire “a\.xlsx” was saved at \d{4}-\d\d-\d\d \d\d:\d\d; "
        r"there is nothing left to confirm\.",
        message,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "interchange:questionnaire-upload", args=[started.pk]
    )
    assert fingerprint() == before


def test_discarding_one_upload_keeps_the_other(started, login, people):
    client = login(people.assessor)
    page_a, page_b = two_previews(
        client, started, {"STR-2.1": "Satisfied"}, {"LC-S1-1.1": "Not satisfied"}
    )

    response = client.post(
        reverse("interchange:questionnaire-cancel", args=[started.pk]),
        {"upload": confirmation(page_a)["upload"]},
        follow=True,
        **ENGLISH,
    )

    assert "The uploaded questionnaire “a.xlsx” was discarded." in messages_of(response)
    assert f'preview/?upload={confirmation(page_b)["upload"]}">b.xlsx</a>' in (
        response.content.decode()
    )
    response = confirm(client, started, confirmation(page_a))
    (message,) = messages_of(response)
    assert message.startswith("The questionnaire “a.xlsx” was discarded at ")
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()
    confirm(client, started, confirmation(page_b))
    assert stored(started, "LC-S1-1.1").status == "not_satisfied"


def test_only_the_latest_uploads_wait(started, login, people, private_storage):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    pages = [
        client.get(
            upload(client, started, content_of(workbook), name=f"{number}.xlsx").url,
            **ENGLISH,
        ).content.decode()
        for number in range(staging.MAX_PENDING + 1)
    ]

    response = confirm(client, started, confirmation(pages[0]))

    (message,) = messages_of(response)
    assert message.startswith("The questionnaire of that preview is no longer kept")
    assert "only the 5 latest of an assessment" in message
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()
    kept = private_storage / staging.DIRECTORY
    assert len(list(kept.iterdir())) == staging.MAX_PENDING
    confirm(client, started, confirmation(pages[-1]))
    assert stored(started, "STR-2.1").status == "satisfied"


def test_an_upload_waits_a_day(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    response = upload(client, started, content_of(workbook))
    fields = confirmation(client.get(response.url, **ENGLISH).content.decode())

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        response = confirm(client, started, fields)

    (message,) = messages_of(response)
    assert message.startswith("The questionnaire of that preview is no longer kept")
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


# ------------------------------------------------------------- bad files


def refusal(response) -> str:
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was applied" in body
    return body


def docx_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def plain_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("minutes.txt", "approved")
    return out.getvalue()


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_damaged_workbook_is_refused_as_damaged(started, login, people, member):
    client = login(people.assessor)
    content = damaged(content_of(download(client, started)), member)

    body = refusal(upload(client, started, content))

    assert "The workbook is damaged and cannot be read." in body
    assert "is not an Excel workbook" not in body
    assert preview(client, started).status_code == 302


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (PDF_BYTES, "application/pdf"),
        (bytes([0x13, 0x37, 0xFE, 0x01]) * 600, "application/octet-stream"),
        (docx_bytes(), "wordprocessingml"),
        (plain_zip(), "application/zip"),
    ],
    ids=["pdf", "random-bytes", "word", "zip"],
)
def test_a_file_that_is_no_workbook_is_refused(
    started, login, people, content, detected
):
    client = login(people.assessor)

    body = refusal(upload(client, started, content))

    assert "The file is not an Excel workbook" in body
    assert detected in body
    assert preview(client, started).status_code == 302


def test_a_workbook_not_from_the_portal_is_refused(started, login, people):
    client = login(people.assessor)
    workbook = openpyxl.Workbook()
    workbook.active.append(["STR-1.1", "", "", 1, "", "Satisfied"])

    body = refusal(upload(client, started, content_of(workbook)))

    assert "not a questionnaire downloaded from the portal" in body


def test_a_workbook_of_another_framework_version_is_refused(
    started, login, people, framework
):
    newer = build_framework(version="2")
    assessment = AssessmentFactory(
        organisation=people.org_a, framework=newer, created_by=people.assessor
    )
    client = login(people.assessor)
    workbook = download(client, assessment)
    fill(workbook, "STR-2.1", "Satisfied")

    body = refusal(upload(client, started, content_of(workbook)))

    assert "This workbook was made for TST 2, but the assessment uses TST 1." in body
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


def test_a_workbook_of_another_assessment_is_refused(started, login, people):
    client = login(people.assessor)
    workbook = download(client, people.other)
    fill(workbook, "STR-2.1", "Satisfied")

    body = refusal(upload(client, started, content_of(workbook)))

    assert "This workbook belongs to another assessment." in body
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


def test_unknown_codes_are_refused_with_their_rows(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    sheet = workbook.worksheets[0]
    sheet.cell(3, 1).value = "STR-9.9"
    sheet.append(["XYZ-1.1", "", "", 1, "", "Satisfied"])
    fill(workbook, "STR-2.1", "Satisfied")
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert "Rows 3, 22: unknown requirement codes (STR-9.9, XYZ-1.1)." in body
    assert fingerprint() == before


def refusals(body) -> list[str]:
    """Return the problems listed in the refusal of ``body``."""
    start = body.index('id="refusal"')
    listed = body[start : body.index("</div>", start)]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed, re.S)]


def test_invalid_statuses_are_refused_with_their_rows(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    first = fill(workbook, "STR-2.1", "Done")
    second = fill(workbook, "LC-S1-1.1", "maybe")
    fill(workbook, "STR-2.2", "Satisfied")
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert (
        f"Rows {first} (STR-2.1), {second} (LC-S1-1.1): the status is not one of "
        "the listed choices "
        "(Done, maybe). Choose a status from the drop-down list, or leave the "
        "cell empty to mark the requirement not answered." in body
    )
    assert fingerprint() == before
    assert preview(client, started).status_code == 302


def test_one_row_is_named_in_the_singular(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    row = fill(workbook, "STR-2.1", "Satisfied", "x" * 20_001)
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert (
        f"Row {row} (STR-2.1): the justification is longer than 20000 characters. "
        "Shorten it." in body
    )
    assert "Rows " not in body
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("deleted", "named"),
    [
        ("E", "column E should be headed “Requirement”, but it is headed “Status”."),
        ("A", "column A should be headed “Code”, but it is headed “Module”."),
        ("I", "column I should be headed “Seal”, but it has no heading."),
    ],
    ids=["requirement", "code", "seal"],
)
def test_a_deleted_column_is_refused_alone_naming_it(
    started, login, people, deleted, named
):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied", "见制度第三条。")
    workbook.worksheets[0].delete_cols(openpyxl.utils.column_index_from_string(deleted))
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert refusals(body) == [
        "The columns of the workbook no longer match the downloaded questionnaire: "
        f"{named} Leave the columns and their headings as they were downloaded: "
        "download the questionnaire again and copy your answers into it."
    ]
    assert fingerprint() == before
    assert preview(client, started).status_code == 302


def test_columns_are_named_in_the_language_of_the_download(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started, language="zh-hans")
    workbook.worksheets[0].move_range("F1:F21", cols=1)

    body = refusal(upload(client, started, content_of(workbook)))

    (problem,) = refusals(body)
    assert "column F should be headed “状态”, but it has no heading." in problem


def test_a_deleted_heading_row_is_named_in_the_language_of_the_download(
    started, login, people
):
    client = login(people.assessor)
    workbook = download(client, started, language="zh-hans")
    workbook.worksheets[0].delete_rows(1)

    body = refusal(upload(client, started, content_of(workbook)))

    (problem,) = refusals(body)
    assert "column A should be headed “编号”" in problem


def test_a_renamed_heading_is_refused(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    workbook.worksheets[0].cell(1, STATUS).value = "Answer"

    body = refusal(upload(client, started, content_of(workbook)))

    (problem,) = refusals(body)
    assert "column F should be headed “Status”, but it is headed “Answer”." in problem


def test_headings_may_differ_in_case_and_columns_may_follow(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    sheet = workbook.worksheets[0]
    sheet.cell(1, STATUS).value = " STATUS "
    sheet.cell(1, 10).value = "Notes"
    sheet.cell(row_of(workbook, "STR-2.1"), 10).value = "ask the board"
    fill(workbook, "STR-2.1", "Satisfied")

    assert upload(client, started, content_of(workbook)).status_code == 302
    confirm(client, started, confirmation(preview(client, started).content.decode()))

    assert stored(started, "STR-2.1").status == "satisfied"


def test_a_workbook_over_the_size_limit_is_refused(started, login, people, settings):
    settings.EVIDENCE_MAX_UPLOAD_SIZE = 2000
    client = login(people.assessor)
    content = content_of(download(client, started))
    assert len(content) > 2000

    body = refusal(upload(client, started, content))

    assert "The file is larger than 2.0" in body
    assert preview(client, started).status_code == 302


def test_an_edited_answer_version_is_refused(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    row = fill(workbook, "STR-1.1", "Not satisfied")
    workbook.worksheets[0].cell(row, VERSION).value = 7

    body = refusal(upload(client, started, content_of(workbook)))

    assert (
        f"Row {row} (STR-1.1): the hidden columns of the workbook were changed." in body
    )


def test_a_renamed_sheet_is_named_in_the_language_of_the_download(
    started, login, people
):
    client = login(people.assessor)
    workbook = download(client, started, language="zh-hans")
    fill(workbook, "STR-2.1", "完全满足")
    workbook.worksheets[0].title = "Sheet1"
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert refusals(body) == [
        "The workbook has no sheet named “问卷”, which holds the questionnaire: "
        "its one sheet is named “Sheet1”. Rename it back to “问卷”, or download "
        "the questionnaire again and copy your answers into it."
    ]
    assert fingerprint() == before
    assert preview(client, started).status_code == 302


def test_a_renamed_sheet_among_others_is_refused_naming_them(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    workbook.worksheets[0].title = "Answers"
    workbook.create_sheet("Notes")

    body = refusal(upload(client, started, content_of(workbook)))

    assert refusals(body) == [
        "The workbook has no sheet named “Questionnaire”, which holds the "
        "questionnaire: its sheets are named “Answers”, “Notes”. Rename the "
        "questionnaire's sheet back to “Questionnaire”, or download the "
        "questionnaire again and copy your answers into it."
    ]


def test_sheets_added_beside_the_questionnaire_are_left_alone(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    workbook.create_sheet("Notes", 0).append(["STR-2.1", "", "", 1, "", "Done"])

    response = upload(client, started, content_of(workbook))

    assert response.status_code == 302
    confirm(client, started, confirmation(client.get(response.url).content.decode()))
    assert stored(started, "STR-2.1").status == "satisfied"


def test_an_edited_metadata_sheet_is_refused(started, login, people):
    client = login(people.assessor)
    workbook = download(client, people.other)
    meta = workbook["portal"]
    for key, value in meta.iter_rows():
        if key.value == "assessment":
            value.value = str(started.pk)

    body = refusal(upload(client, started, content_of(workbook)))

    assert "its hidden metadata sheet was changed" in body


# ------------------------------------------------------------- access


@pytest.mark.parametrize("persona", ["viewer", "auditor"])
def test_viewers_and_auditors_get_403(started, login, people, persona):
    client = login(getattr(people, persona))
    content = content_of(download(client, started))

    assert upload(client, started, content).status_code == 403
    url = reverse("interchange:questionnaire-upload", args=[started.pk])
    assert client.get(url).status_code == 403
    assert preview(client, started).status_code == 403


def test_other_organisations_get_404(started, login, people):
    client = login(people.outsider)

    response = upload(client, started, b"whatever")

    assert response.status_code == 404
    assert preview(client, started).status_code == 404
    url = reverse("interchange:export-xlsx", args=[started.pk])
    assert client.get(url).status_code == 404


def test_a_submitted_assessment_takes_no_workbook(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    Assessment.objects.filter(pk=started.pk).update(status=Status.SUBMITTED)

    body = refusal(upload(client, started, content_of(workbook)))

    assert "answers can be imported only while it is a draft" in body
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


def test_an_assessment_submitted_after_the_preview_is_not_changed(
    started, login, people
):
    client = login(people.assessor)
    workbook = download(client, started)
    fill(workbook, "STR-2.1", "Satisfied")
    upload(client, started, content_of(workbook))
    fields = confirmation(preview(client, started).content.decode())
    Assessment.objects.filter(pk=started.pk).update(status=Status.SUBMITTED)

    response = confirm(client, started, fields)

    assert "answers can be imported only while it is a draft" in (
        response.content.decode()
    )
    assert not Answer.objects.filter(requirement__code="STR-2.1").exists()


def test_the_shipped_standard_round_trips(people, login):
    aimrg = Framework.objects.latest_version("AIMRG")
    assessment = AssessmentFactory(
        organisation=people.org_a, framework=aimrg, created_by=people.assessor
    )
    client = login(people.assessor)
    workbook = download(client, assessment)
    assert workbook.worksheets[0].max_row == 332
    fill(workbook, "STR-4.1", "Satisfied", "已建立")
    fill(workbook, "LC-MON-3.7", "Not applicable", "无在线模型")

    upload(client, assessment, content_of(workbook))
    page = preview(client, assessment).content.decode()
    confirm(client, assessment, confirmation(page))

    assert 'data-count="unchanged">329<' in page
    assert stored(assessment, "STR-4.1").status == "satisfied"
    assert stored(assessment, "LC-MON-3.7").justification == "无在线模型"


# ------------------------------------------------------------- formulas

HYPERLINK = '=HYPERLINK("https://policy.example/model-risk","策略")'


def with_saved_result(content: bytes, cell: str, result: str) -> bytes:
    """Return ``content`` with ``result`` saved beside the formula in ``cell``.

    Excel and LibreOffice save a formula's last result; openpyxl does not.
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text, count = re.subn(
                    rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/>',
                    rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{result}</v>',
                    data.decode(),
                )
                assert count == 1
                data = text.encode()
            target.writestr(name, data)
    return out.getvalue()


def test_a_formula_is_read_as_its_saved_result(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    row = fill(workbook, "STR-2.1", "Satisfied", HYPERLINK)
    content = with_saved_result(content_of(workbook), f"G{row}", "策略")

    upload(client, started, content)
    page = preview(client, started).content.decode()
    confirm(client, started, confirmation(page))

    assert "策略" in section(page, "New answers")
    assert stored(started, "STR-2.1").justification == "策略"


def test_a_formula_without_a_saved_result_is_refused_naming_its_cell(
    started, login, people
):
    client = login(people.assessor)
    workbook = download(client, started)
    row = fill(workbook, "STR-2.1", "Satisfied", HYPERLINK)
    fill(workbook, "STR-2.2", "Satisfied", "制度已发布。")
    before = fingerprint()

    body = refusal(upload(client, started, content_of(workbook)))

    assert (
        f"Cell G{row} holds a formula whose result was not saved in the workbook. "
        "Type the text itself instead of a formula." in body
    )
    assert "hidden columns" not in body
    assert fingerprint() == before
    assert preview(client, started).status_code == 302


def test_formulas_in_several_cells_are_all_named(started, login, people):
    client = login(people.assessor)
    workbook = download(client, started)
    first = fill(workbook, "STR-2.1", '=IF(TRUE,"Satisfied")', HYPERLINK)
    second = fill(workbook, "LC-S1-1.1", justification='="见"&"附件"')

    body = refusal(upload(client, started, content_of(workbook)))

    assert (
        f"Cells F{first}, G{first}, G{second} hold formulas whose results were "
        "not saved in the workbook." in body
    )


def test_the_upload_page_of_a_locked_assessment_says_why_without_a_refusal(
    started, login, people
):
    Assessment.objects.filter(pk=started.pk).update(status=Status.IN_REVIEW)

    response = login(people.assessor).get(
        reverse("interchange:questionnaire-upload", args=[started.pk]), **ENGLISH
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was applied" not in body
    assert 'class="notice">The assessment is in review' in body


def test_an_empty_workbook_upload_is_refused_once_beside_its_field(
    started, login, people
):
    response = upload(login(people.assessor), started, b"")

    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("The submitted file is empty.") == 1


def test_the_export_page_says_who_uploads_workbooks(started, login, people):
    response = login(people.viewer).get(
        reverse("interchange:export", args=[started.pk]), **ENGLISH
    )

    assert "are uploaded here by assessors and administrators" in (
        response.content.decode()
    )
