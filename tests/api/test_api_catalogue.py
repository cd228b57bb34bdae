"""The catalogue of the standard through the API, read-only."""


def test_it_lists_the_installed_versions(people, api):
    response = api(people.viewer).get("/api/v1/frameworks/", {"code": "TST"})

    rows = response.json()["results"]
    assert response.status_code == 200
    assert [(row["code"], row["version"]) for row in rows] == [("TST", "1")]
    assert rows[0]["id"] == people.assessment.framework_id


def test_it_reads_a_version_whole(people, api):
    response = api(people.auditor).get(
        f"/api/v1/frameworks/{people.assessment.framework_id}/"
    )

    body = response.json()
    assert response.status_code == 200
    assert [level["number"] for level in body["levels"]] == [1, 2, 3, 4, 5]
    strategy, lifecycle = body["modules"]
    assert strategy["code"] == "STR"
    assert "stages" not in strategy
    assert strategy["requirements"][0] == {
        "code": "STR-1.1",
        "level": 1,
        "text": "应建立第1级的第1项策略。",
        "parts": [
            {"kind": "item", "text": "子项一；"},
            {"kind": "note", "text": "注释文字"},
        ],
    }
    assert [stage["code"] for stage in lifecycle["stages"]] == ["LC-S1", "LC-S2"]
    assert "requirements" not in lifecycle


def test_it_answers_404_for_an_unknown_version(people, api):
    response = api(people.viewer).get("/api/v1/frameworks/999999/")

    assert response.status_code == 404


def test_it_needs_a_login(people, api):
    assert api().get("/api/v1/frameworks/").status_code == 401
