"""Ids too large for the database are not found, in the API and on the pages."""

import pytest
from django.urls import Resolver404, resolve, reverse

from portal.converters import LARGEST_ID

TOO_LARGE = LARGEST_ID + 1


def _path(template: str, people) -> str:
    return template.format(pk=people.assessment.pk, big=TOO_LARGE)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assessments/{big}/",
        "/api/v1/assessments/{big}/answers/",
        "/api/v1/assessments/{pk}/evidence/{big}/",
        "/api/v1/assessments/{pk}/reports/{big}/",
        "/api/v1/frameworks/{big}/",
    ],
)
def test_the_api_does_not_find_an_id_past_the_largest(people, api, path):
    response = api(people.assessor).get(_path(path, people))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_api_looks_up_the_largest_id_and_does_not_find_it(people, api):
    response = api(people.assessor).get(f"/api/v1/assessments/{LARGEST_ID}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/assessments/{big}/",
        "/assessments/{pk}/evidence/{big}/download/",
        "/assessments/{big}/modules/STR/",
    ],
)
def test_a_page_does_not_find_an_id_past_the_largest(people, client, path):
    client.force_login(people.assessor)

    response = client.get(_path(path, people))

    assert response.status_code == 404


def test_an_address_with_an_id_past_the_largest_matches_no_view():
    # Before any query: SQLite cannot even bind such a number.
    with pytest.raises(Resolver404):
        resolve(f"/assessments/{TOO_LARGE}/")
    assert resolve(f"/assessments/{LARGEST_ID}/").kwargs == {"pk": LARGEST_ID}


def test_addresses_of_ids_are_made_as_before(people):
    url = reverse("assessments:assessment-detail", args=[people.assessment.pk])

    assert url == f"/assessments/{people.assessment.pk}/"
