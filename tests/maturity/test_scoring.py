"""Tests of the scoring rule, over small catalogues built by hand.

Each test states its answers and the level the rule gives them, worked out
from the rule in the docstring of :mod:`maturity.scoring`, not from the code.
Codes read ``AREA-L.N``: area, level, position within the level.
"""

import json
from decimal import Decimal

import pytest

from maturity.scoring import (
    NOT_APPLICABLE,
    NOT_SATISFIED,
    PARTIAL,
    SATISFIED,
    Catalogue,
    RequirementRef,
    ScoringInputError,
    score,
)

S, P, X, NA = SATISFIED, PARTIAL, NOT_SATISFIED, NOT_APPLICABLE


def make_catalogue(spec):
    """Build a catalogue from ``{module: counts}`` or ``{module: {stage: counts}}``.

    ``counts`` gives the number of requirements of levels 1 to 5.
    """
    modules, stages, requirements = [], {}, []
    for module, body in spec.items():
        modules.append(module)
        areas = body if isinstance(body, dict) else {module: body}
        if isinstance(body, dict):
            stages[module] = list(body)
        for area, counts in areas.items():
            for level, count in enumerate(counts, start=1):
                for n in range(1, count + 1):
                    requirements.append(
                        RequirementRef(
                            code=f"{area}-{level}.{n}",
                            module=module,
                            level=level,
                            stage=area if isinstance(body, dict) else None,
                        )
                    )
    return Catalogue.build(modules=modules, stages=stages, requirements=requirements)


def level_answers(area, *levels):
    """Return answers giving ``levels[i]`` (a list of statuses) to level i + 1."""
    return {
        f"{area}-{level}.{n}": status
        for level, statuses in enumerate(levels, start=1)
        for n, status in enumerate(statuses, start=1)
    }


ONE_MODULE = make_catalogue({"A": [2, 2, 2, 2, 2]})


def level_of(answers, catalogue=ONE_MODULE, area="A"):
    return score(catalogue, answers).area(area).level


# -- A level of one module ---------------------------------------------------


def test_it_meets_a_level_whose_requirements_are_satisfied_or_not_applicable():
    answers = level_answers("A", [S, NA], [NA, S], [S, S])
    # Levels 1 to 3 each mix satisfied and N/A; level 4 is unanswered.
    assert level_of(answers) == 3


def test_it_meets_a_level_whose_requirements_are_all_not_applicable():
    answers = level_answers("A", [S, S], [NA, NA], [S, S])
    assert level_of(answers) == 3


def test_it_meets_level_one_when_all_of_it_is_not_applicable():
    answers = level_answers("A", [NA, NA], [S, S])
    assert level_of(answers) == 2


@pytest.mark.parametrize("blocker", [P, X, None], ids=["partial", "not", "null"])
def test_it_lets_partial_not_satisfied_and_null_block_a_level(blocker):
    answers = level_answers("A", [S, S], [S, blocker], [S, S], [S, S], [S, S])
    assert level_of(answers) == 1


def test_it_lets_a_missing_answer_block_a_level():
    answers = level_answers("A", [S, S], [S, S], [S, S], [S, S], [S, S])
    del answers["A-3.2"]
    assert level_of(answers) == 2


def test_it_ignores_met_levels_above_an_unmet_one():
    # Levels 1, 3, 4 and 5 are met; level 2 is not, so only level 1 counts.
    answers = level_answers("A", [S, S], [S, X], [S, S], [S, S], [S, S])
    result = score(ONE_MODULE, answers).area("A")
    assert result.level == 1
    assert [r.met for r in result.levels] == [True, False, True, True, True]


def test_it_gives_level_zero_when_level_one_is_unmet():
    answers = level_answers("A", [S, P], [S, S], [S, S], [S, S], [S, S])
    assert level_of(answers) == 0


def test_it_gives_level_zero_to_no_answers_at_all():
    assert level_of({}) == 0


def test_it_gives_level_five_when_all_five_levels_are_met():
    answers = level_answers("A", [S, S], [S, NA], [S, S], [NA, NA], [S, S])
    result = score(ONE_MODULE, answers).area("A")
    assert result.level == 5
    assert result.next_level is None


def test_it_treats_a_level_without_requirements_as_met():
    catalogue = make_catalogue({"A": [1, 0, 1, 1, 1]})
    answers = level_answers("A", [S], [], [S])
    assert level_of(answers, catalogue) == 3


def test_it_reports_the_counts_and_unmet_requirements_of_each_level():
    answers = level_answers("A", [S, NA], [P, None], [S])
    levels = score(ONE_MODULE, answers).area("A").levels
    first, second, third = levels[:3]
    assert (first.total, first.applicable, first.satisfied) == (2, 1, 1)
    assert first.unmet == ()
    # A null answer counts as applicable: only N/A leaves the denominator.
    assert (second.total, second.applicable, second.satisfied) == (2, 2, 0)
    assert second.unmet == ("A-2.1", "A-2.2")
    assert third.unmet == ("A-3.2",)


# -- The lifecycle: a module made of stages ----------------------------------

LIFECYCLE = make_catalogue(
    {
        "A": [1, 1, 1, 1, 1],
        "LC": {
            "LC-X": [1, 2, 1, 1, 1],
            "LC-Y": [1, 2, 1, 1, 1],
            "LC-Z": [1, 1, 1, 1, 1],
        },
    }
)


def test_it_puts_the_lifecycle_at_the_lowest_of_its_stages():
    answers = {
        **level_answers("LC-X", [S], [S, S], [S]),  # 3
        **level_answers("LC-Y", [S], [S, P], [S], [S], [S]),  # 1
        **level_answers("LC-Z", [S], [S], [S], [S], [S]),  # 5
    }
    result = score(LIFECYCLE, answers)
    assert result.area("LC-X").level == 3
    assert result.area("LC-Y").level == 1
    assert result.area("LC-Z").level == 5
    assert result.modules["LC"].level == 1
    assert list(result.modules["LC"].stages) == ["LC-X", "LC-Y", "LC-Z"]


def test_it_gives_the_lifecycle_level_zero_when_one_stage_has_nothing():
    answers = {
        **level_answers("LC-X", [S], [S, S], [S], [S], [S]),
        **level_answers("LC-Y", [S], [S, S], [S], [S], [S]),
    }
    assert score(LIFECYCLE, answers).modules["LC"].level == 0


def test_it_adds_up_the_lifecycle_levels_over_its_stages():
    answers = {
        **level_answers("LC-X", [S], [S, NA]),
        **level_answers("LC-Y", [S], [P, S]),
        **level_answers("LC-Z", [NA], [S]),
    }
    second = score(LIFECYCLE, answers).modules["LC"].levels[1]
    assert (second.total, second.applicable, second.satisfied) == (5, 4, 3)
    assert not second.met
    assert second.unmet == ("LC-Y-2.1",)


# -- The organisation ---------------------------------------------------------


def catalogue_of_modules(count):
    return make_catalogue({f"M{i}": [1, 1, 1, 1, 1] for i in range(count)})


def answers_for_levels(levels):
    """Return answers putting module ``Mi`` exactly at ``levels[i]``."""
    answers = {}
    for i, level in enumerate(levels):
        answers.update({f"M{i}-{n}.1": S for n in range(1, level + 1)})
    return answers


def test_it_puts_the_organisation_at_its_lowest_module():
    levels = [5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0]
    organisation = score(catalogue_of_modules(11), answers_for_levels(levels))
    assert organisation.organisation.level == 0
    levels = [5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1]
    organisation = score(catalogue_of_modules(11), answers_for_levels(levels))
    assert organisation.organisation.level == 1


def test_it_reports_the_mean_of_eleven_modules_to_two_decimals():
    # 24 / 11 = 2.1818... -> 2.18. A mean over 11 modules never ends in an
    # exact 5 at the third decimal, so half-up and banker's rounding agree.
    levels = [5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0]
    assert sum(levels) == 24
    result = score(catalogue_of_modules(11), answers_for_levels(levels))
    assert result.organisation.mean == Decimal("2.18")
    assert result.to_dict()["organisation"]["mean"] == 2.18


def test_it_rounds_the_mean_to_the_nearest_hundredth():
    # 25 / 11 = 2.2727... -> 2.27, and 6 / 11 = 0.5454... -> 0.55.
    result = score(catalogue_of_modules(11), answers_for_levels([5, 5, 5, 5, 5]))
    assert result.organisation.mean == Decimal("2.27")
    result = score(catalogue_of_modules(11), answers_for_levels([3, 3]))
    assert result.organisation.mean == Decimal("0.55")


@pytest.mark.parametrize(
    ("levels", "mean"),
    [
        # 1 / 8 = 0.125: half-up gives 0.13, banker's rounding 0.12.
        ([1], "0.13"),
        # 5 / 8 = 0.625: half-up gives 0.63, banker's rounding 0.62.
        ([5], "0.63"),
        # 3 / 8 = 0.375 gives 0.38 either way.
        ([3], "0.38"),
        # 21 / 8 = 2.625 -> 2.63, banker's rounding 2.62.
        ([5, 5, 5, 3, 3], "2.63"),
    ],
)
def test_it_rounds_an_exact_half_of_a_cent_up(levels, mean):
    result = score(catalogue_of_modules(8), answers_for_levels(levels))
    assert result.organisation.mean == Decimal(mean)
    assert result.to_dict()["organisation"]["mean"] == float(mean)


def test_it_counts_the_modules_at_each_level_including_zero():
    levels = [5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 0]
    result = score(catalogue_of_modules(11), answers_for_levels(levels))
    assert result.organisation.distribution == {0: 1, 1: 3, 2: 3, 3: 2, 4: 1, 5: 1}


def test_it_lists_every_level_in_the_distribution_even_when_empty():
    result = score(catalogue_of_modules(3), {})
    assert result.organisation.distribution == {0: 3, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert result.organisation.mean == Decimal("0.00")


def test_it_counts_the_lifecycle_once_at_its_own_level():
    answers = {
        "A-1.1": S,
        "A-2.1": S,
        **level_answers("LC-X", [S], [S, S], [S]),
        **level_answers("LC-Y", [S]),
        **level_answers("LC-Z", [S], [S]),
    }
    organisation = score(LIFECYCLE, answers).organisation
    # A stands at 2 and LC at 1 (its lowest stage, LC-Y): (2 + 1) / 2 = 1.5.
    assert organisation.level == 1
    assert organisation.mean == Decimal("1.50")
    assert organisation.distribution == {0: 0, 1: 1, 2: 1, 3: 0, 4: 0, 5: 0}


# -- Progress toward the next level -------------------------------------------

FOUR_PER_LEVEL = make_catalogue({"A": [4, 4, 4, 4, 4]})


def test_it_measures_progress_as_satisfied_over_applicable_of_the_next_level():
    # Level 1 met; level 2: 2 satisfied, 1 N/A, 1 partial -> 2 / 3.
    answers = level_answers("A", [S, S, S, S], [S, S, NA, P])
    result = score(FOUR_PER_LEVEL, answers).area("A")
    assert result.level == 1
    assert result.next_level == 2
    assert result.progress == pytest.approx(2 / 3)


def test_it_does_not_count_partial_answers_as_progress():
    answers = level_answers("A", [S, S, S, S], [P, P, P, S])
    assert score(FOUR_PER_LEVEL, answers).area("A").progress == 0.25


def test_it_measures_progress_toward_level_one_from_level_zero():
    answers = level_answers("A", [S, X, None, NA], [S, S, S, S])
    result = score(FOUR_PER_LEVEL, answers).area("A")
    assert result.level == 0
    assert result.next_level == 1
    assert result.progress == pytest.approx(1 / 3)


def test_it_gives_no_progress_at_level_five():
    answers = level_answers("A", *([S, S, S, S] for _ in range(5)))
    result = score(FOUR_PER_LEVEL, answers).area("A")
    assert result.level == 5
    assert result.progress is None
    assert result.to_dict()["progress"] is None
    assert result.to_dict()["next_level"] is None


def test_it_never_finds_a_next_level_that_is_wholly_not_applicable():
    # A next level with nothing applicable would be met, so the module moves
    # past it and progress is measured on the level after: here level 3.
    answers = level_answers("A", [S] * 4, [NA] * 4, [S, NA, NA, X])
    result = score(FOUR_PER_LEVEL, answers).area("A")
    assert result.level == 2
    assert result.progress == 0.5


def test_it_never_reports_full_progress_below_level_five():
    # The next level is unmet, so at least one applicable requirement of it
    # is not satisfied and progress stays below 1.
    answers = level_answers("A", [S] * 4, [S, S, S, None])
    result = score(FOUR_PER_LEVEL, answers).area("A")
    assert result.progress == 0.75


def test_it_measures_lifecycle_progress_over_every_stage_of_the_next_level():
    answers = {
        **level_answers("LC-X", [S], [S, P]),  # 1
        **level_answers("LC-Y", [S], [S, S], [S]),  # 3
        **level_answers("LC-Z", [S], [NA]),  # 2
    }
    lifecycle = score(LIFECYCLE, answers).modules["LC"]
    assert lifecycle.level == 1
    # Level 2 of LC: 3 satisfied of 4 applicable (LC-Z-2.1 is N/A).
    assert lifecycle.progress == 0.75


# -- Gaps to target -----------------------------------------------------------

GAPS = make_catalogue({"A": [2, 3, 2, 2, 1], "B": [1, 1, 1, 1, 1]})


def test_it_lists_the_gaps_up_to_the_target_by_level_in_source_order():
    answers = {
        **level_answers("A", [S, S], [S, P, None], [S, S], [X, NA], [None]),
        "B-1.1": S,
    }
    result = score(GAPS, answers, targets={"A": 4}).area("A")
    assert result.level == 1
    assert result.target == 4
    # Level 3 is met, so it has no gap; level 5 lies above the target.
    assert result.gaps == {2: ("A-2.2", "A-2.3"), 4: ("A-4.1",)}
    assert list(result.to_dict()["gaps"]) == ["2", "4"]
    assert result.to_dict()["gaps"]["2"] == ["A-2.2", "A-2.3"]


def test_it_lists_level_one_among_the_gaps_of_a_module_at_level_zero():
    result = score(GAPS, {"B-1.1": P, "B-2.1": S}, targets={"B": 2})
    assert result.area("B").gaps == {1: ("B-1.1",)}


@pytest.mark.parametrize("target", [1, 2])
def test_it_lists_no_gaps_when_the_target_is_reached(target):
    answers = level_answers("A", [S, S], [S, S, S], [X])
    result = score(GAPS, answers, targets={"A": target}).area("A")
    assert result.level == 2
    assert result.gaps == {}
    assert result.to_dict()["target"] == target
    assert result.to_dict()["gaps"] == {}


def test_it_lists_gaps_only_for_modules_with_a_target():
    result = score(GAPS, {}, targets={"A": 1})
    assert result.area("A").gaps == {1: ("A-1.1", "A-1.2")}
    assert result.area("B").target is None
    assert result.area("B").gaps == {}
    assert "gaps" not in result.to_dict()["modules"]["B"]
    assert "target" not in result.to_dict()["modules"]["B"]


def test_it_lists_lifecycle_gaps_across_its_stages_in_stage_order():
    answers = {
        **level_answers("LC-X", [S], [S, X], [P]),  # 1
        **level_answers("LC-Y", [S], [S, S], [S], [X]),  # 3
        **level_answers("LC-Z", [S], [S]),  # 2
    }
    lifecycle = score(LIFECYCLE, answers, targets={"LC": 3}).modules["LC"]
    assert lifecycle.level == 1
    assert lifecycle.gaps == {2: ("LC-X-2.2",), 3: ("LC-X-3.1", "LC-Z-3.1")}
    # Each stage has the module's target and its own gaps.
    assert lifecycle.stages["LC-X"].gaps == {2: ("LC-X-2.2",), 3: ("LC-X-3.1",)}
    assert lifecycle.stages["LC-Y"].gaps == {}
    assert lifecycle.stages["LC-Z"].gaps == {3: ("LC-Z-3.1",)}
    assert lifecycle.to_dict()["stages"]["LC-Z"]["target"] == 3


# -- Self-assessed and verified readings --------------------------------------


def test_it_gives_the_verified_reading_from_accepted_answers_only():
    catalogue = make_catalogue({"A": [1, 1, 1, 1, 1], "B": [1, 1, 1, 1, 1]})
    self_assessed = {
        **level_answers("A", [S], [S], [S], [X]),  # 3
        **level_answers("B", [S], [S], [NA], [X], [S]),  # 3
    }
    # is not accepted: dropping that satisfied answer leaves A at 1.
    # B-5.1 is not accepted, but it lies above B's level: B stays at 3.
    # is not accepted, but it was not satisfied: nothing changes.
    accepted = set(self_assessed) - {"A-2.1", "B-5.1", "A-4.1"}
    verified = {
        code: status if code in accepted else None
        for code, status in self_assessed.items()
    }

    self_score = score(catalogue, self_assessed)
    verified_score = score(catalogue, verified)

    assert self_score.area("A").level == 3
    assert verified_score.area("A").level == 1
    assert self_score.area("B").level == 3
    assert verified_score.area("B").level == 3
    assert self_score.organisation.level == 3
    assert verified_score.organisation.level == 1
    assert verified_score.area("A").levels[1].unmet == ("A-2.1",)


# -- Input errors -------------------------------------------------------------


def test_it_rejects_an_unknown_requirement_code():
    with pytest.raises(ScoringInputError, match=r"A-9\.9"):
        score(ONE_MODULE, {"A-1.1": S, "A-9.9": S})


@pytest.mark.parametrize("status", ["done", "SATISFIED", "", 1, True, ["satisfied"]])
def test_it_rejects_an_unknown_status(status):
    with pytest.raises(ScoringInputError, match=r"A-1\.2"):
        score(ONE_MODULE, {"A-1.1": S, "A-1.2": status})


@pytest.mark.parametrize("target", [0, 6, -1, "3", 3.0, True, None])
def test_it_rejects_a_target_that_is_no_level(target):
    with pytest.raises(ScoringInputError, match="Target of A"):
        score(ONE_MODULE, {}, targets={"A": target})


@pytest.mark.parametrize("module", ["Z", "LC-X"])
def test_it_rejects_a_target_for_an_unknown_module(module):
    with pytest.raises(ScoringInputError, match="Unknown module code"):
        score(LIFECYCLE, {}, targets={module: 3})


def test_its_input_error_is_a_value_error():
    assert issubclass(ScoringInputError, ValueError)


def test_it_finds_the_score_of_a_module_or_stage_by_code():
    result = score(LIFECYCLE, {})
    assert result.area("A") is result.modules["A"]
    assert result.area("LC-Y") is result.modules["LC"].stages["LC-Y"]
    with pytest.raises(KeyError):
        result.area("LC-Q")


# -- Catalogue checks ---------------------------------------------------------


def ref(code, module="A", level=1, stage=None):
    return RequirementRef(code=code, module=module, level=level, stage=stage)


@pytest.mark.parametrize(
    ("modules", "stages", "requirements", "message"),
    [
        (["A"], {}, [ref("A-1.1"), ref("A-1.1")], "appears twice"),
        (["A"], {}, [ref("B-1.1", module="B")], "names module"),
        (["A"], {}, [ref("A-6.1", level=6)], "has level"),
        (["A"], {"A": ["S"]}, [ref("A-1.1")], "must name a stage"),
        (["A"], {}, [ref("A-1.1", stage="S")], "must name a stage"),
        (["A", "L"], {"L": ["S"]}, [ref("T-1.1", "L", stage="T")], "names stage"),
        ([], {}, [], "at least one module"),
        (["A", "A"], {}, [], "unique"),
        (["A"], {"B": ["S"]}, [], "unknown module"),
        (["A", "L"], {"L": []}, [], "has no stage"),
        (["A", "L"], {"L": ["S", "S"]}, [], "used twice"),
        (["A", "L"], {"L": ["A"]}, [], "used twice"),
    ],
)
def test_it_refuses_an_inconsistent_catalogue(modules, stages, requirements, message):
    with pytest.raises(ValueError, match=message):
        Catalogue.build(modules=modules, stages=stages, requirements=requirements)


# -- The dictionary form --------------------------------------------------------


def test_it_gives_a_json_ready_dictionary():
    catalogue = make_catalogue({"A": [2, 1, 1, 1, 1], "LC": {"LC-X": [1] * 5}})
    answers = {"A-1.1": S, "A-1.2": NA, "A-2.1": P, "LC-X-1.1": S}
    data = score(catalogue, answers, targets={"A": 3}).to_dict()

    assert list(data) == ["modules", "organisation"]
    assert list(data["modules"]) == ["A", "LC"]
    assert data["modules"]["A"] == {
        "level": 1,
        "next_level": 2,
        "progress": 0.0,
        "levels": {
            "1": {
                "met": True,
                "total": 2,
                "applicable": 1,
                "satisfied": 1,
                "unmet": [],
            },
            "2": {
                "met": False,
                "total": 1,
                "applicable": 1,
                "satisfied": 0,
                "unmet": ["A-2.1"],
            },
            **{
                str(level): {
                    "met": False,
                    "total": 1,
                    "applicable": 1,
                    "satisfied": 0,
                    "unmet": [f"A-{level}.1"],
                }
                for level in (3, 4, 5)
            },
        },
        "target": 3,
        "gaps": {"2": ["A-2.1"], "3": ["A-3.1"]},
    }
    lifecycle = data["modules"]["LC"]
    assert set(lifecycle) == {"level", "next_level", "progress", "levels", "stages"}
    assert lifecycle["level"] == 1
    assert list(lifecycle["stages"]) == ["LC-X"]
    assert lifecycle["stages"]["LC-X"]["levels"]["1"]["met"] is True
    assert "stages" not in lifecycle["stages"]["LC-X"]
    assert data["organisation"] == {
        "level": 1,
        "mean": 1.0,
        "distribution": {"0": 0, "1": 2, "2": 0, "3": 0, "4": 0, "5": 0},
    }
    assert json.loads(json.dumps(data)) == data
