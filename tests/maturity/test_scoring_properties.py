"""Properties of the scoring rule that hold for any answers and catalogue.

Answers are generated over small generated catalogues and over one catalogue
shaped like the standard (eleven modules, a lifecycle of nine stages).
"""

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from maturity.scoring import (
    LEVELS,
    NOT_APPLICABLE,
    SATISFIED,
    STATUSES,
    TOP_LEVEL,
    Catalogue,
    RequirementRef,
    score,
)

MET = {SATISFIED, NOT_APPLICABLE}
SEEDS = st.integers(0, 2**32 - 1)
SETTINGS = settings(max_examples=120, deadline=None)

# "missing" leaves the requirement out of the answers altogether.
ANSWER_CHOICES = (*STATUSES, None, "missing")


def build_catalogue(plain, staged):
    """Return a catalogue from requirement counts per level.

    ``plain`` lists the level counts of each unstaged module; ``staged`` lists
    those of each stage of one module ``LC``, which is left out when empty.
    """
    modules = [f"M{i}" for i in range(len(plain))]
    areas = [
        (module, module, None, counts)
        for module, counts in zip(modules, plain, strict=True)
    ]
    stages = {}
    if staged:
        modules.append("LC")
        stages["LC"] = [f"LC-S{i}" for i in range(len(staged))]
        areas += [
            ("LC", stage, stage, c)
            for stage, c in zip(stages["LC"], staged, strict=True)
        ]
    requirements = [
        RequirementRef(code=f"{area}-{level}.{n}", module=module, level=level, stage=s)
        for module, area, s, counts in areas
        for level, count in zip(LEVELS, counts, strict=True)
        for n in range(1, count + 1)
    ]
    return Catalogue.build(modules=modules, stages=stages, requirements=requirements)


level_counts = st.lists(st.integers(0, 3), min_size=5, max_size=5)
catalogues = (
    st.tuples(
        st.lists(level_counts, max_size=4),
        st.lists(level_counts, max_size=3),
    )
    .filter(lambda shape: shape[0] or shape[1])
    .map(lambda shape: build_catalogue(*shape))
)

# Level sizes of the standard, roughly: a few requirements at each level.
STANDARD_LIKE = build_catalogue(
    plain=[[2, 4, 5, 3, 3]] * 10, staged=[[2, 5, 7, 3, 2]] * 9
)


@st.composite
def catalogue_and_answers(draw):
    """Draw a small catalogue and answers to some of its requirements."""
    catalogue = draw(catalogues)
    codes = [ref.code for ref in catalogue.requirements]
    choices = draw(
        st.lists(
            st.sampled_from(ANSWER_CHOICES), min_size=len(codes), max_size=len(codes)
        )
    )
    answers = {
        code: choice
        for code, choice in zip(codes, choices, strict=True)
        if choice != "missing"
    }
    return catalogue, answers


@st.composite
def standard_like_answers(draw):
    """Draw answers to the standard-like catalogue, mostly met when ``bias`` is high.

    A seeded generator is much faster than one draw per requirement, and the
    bias lets high levels be reached, which uniform answers almost never do.
    """
    rng = random.Random(draw(SEEDS))  # noqa: S311 (test data, no secret)
    bias = draw(st.sampled_from([0.0, 0.5, 0.9, 0.97, 1.0]))
    answers = {}
    for ref in STANDARD_LIKE.requirements:
        if rng.random() < bias:
            choice = SATISFIED if rng.random() < 0.9 else NOT_APPLICABLE
        else:
            choice = rng.choice(ANSWER_CHOICES)
        if choice != "missing":
            answers[ref.code] = choice
    return STANDARD_LIKE, answers


any_case = st.one_of(catalogue_and_answers(), standard_like_answers())


def every_area(result):
    """Yield the score of every module and of every stage."""
    for module in result.modules.values():
        yield module
        yield from (module.stages or {}).values()


def levels_by_area(result):
    return {area.code: area.level for area in every_area(result)}


@SETTINGS
@given(any_case, st.data())
def test_satisfying_a_requirement_never_lowers_a_level(case, data):
    catalogue, answers = case
    assume(catalogue.requirements)
    code = data.draw(st.sampled_from([ref.code for ref in catalogue.requirements]))
    before = score(catalogue, answers)
    after = score(catalogue, {**answers, code: SATISFIED})

    after_levels = levels_by_area(after)
    for area, level in levels_by_area(before).items():
        assert after_levels[area] >= level
    assert after.organisation.level >= before.organisation.level
    assert after.organisation.mean >= before.organisation.mean


@SETTINGS
@given(any_case)
def test_the_organisation_stands_at_its_lowest_module(case):
    result = score(*case)
    module_levels = [module.level for module in result.modules.values()]
    assert all(result.organisation.level <= level for level in module_levels)
    assert result.organisation.level == min(module_levels)
    assert min(module_levels) <= result.organisation.mean <= max(module_levels)
    assert sum(result.organisation.distribution.values()) == len(module_levels)


@SETTINGS
@given(any_case)
def test_every_level_lies_between_zero_and_five(case):
    result = score(*case)
    for area in every_area(result):
        assert 0 <= area.level <= TOP_LEVEL
    assert 0 <= result.organisation.level <= TOP_LEVEL
    assert set(result.organisation.distribution) == {0, *LEVELS}


@SETTINGS
@given(any_case, SEEDS)
def test_the_order_of_the_answers_does_not_matter(case, seed):
    catalogue, answers = case
    items = list(answers.items())
    random.Random(seed).shuffle(items)  # noqa: S311 (test data, no secret)
    assert (
        score(catalogue, dict(items)).to_dict() == score(catalogue, answers).to_dict()
    )


@SETTINGS
@given(any_case)
def test_the_lifecycle_stands_at_its_lowest_stage(case):
    result = score(*case)
    for module in result.modules.values():
        if module.stages is not None:
            assert module.level == min(stage.level for stage in module.stages.values())


@SETTINGS
@given(any_case)
def test_the_level_is_the_last_of_an_unbroken_run_of_met_levels(case):
    result = score(*case)
    for area in every_area(result):
        met = [level.met for level in area.levels]
        assert all(met[: area.level])
        if area.level < TOP_LEVEL:
            assert not met[area.level]


@SETTINGS
@given(any_case)
def test_progress_is_a_share_below_one_until_level_five(case):
    result = score(*case)
    for area in every_area(result):
        if area.level == TOP_LEVEL:
            assert area.progress is None
        else:
            assert 0 <= area.progress < 1


@SETTINGS
@given(any_case, st.integers(1, 5))
def test_gaps_are_the_unmet_requirements_between_level_and_target(case, target):
    catalogue, answers = case
    targets = dict.fromkeys(catalogue.modules, target)
    result = score(catalogue, answers, targets)
    for area in every_area(result):
        expected = {
            level.level: level.unmet
            for level in area.levels
            if area.level < level.level <= target and level.unmet
        }
        assert area.gaps == expected
        for codes in area.gaps.values():
            assert all(answers.get(code) not in MET for code in codes)
