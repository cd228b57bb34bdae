"""The cost of scoring one assessment: the pure rule, and with its reads.

:func:`maturity.scoring.score` is timed on its own, with the answers and
targets read once beforehand; :func:`assessments.selectors.assessment_score`,
which the pages call, adds the two queries that read them.
"""

import statistics
import time
from dataclasses import dataclass

from assessments.selectors import answer_statuses, assessment_score, targets_of
from maturity.catalogues import get_catalogue
from maturity.scoring import score

SCORE_CALLS = 200
SELECTOR_CALLS = 20


@dataclass(frozen=True)
class PerCall:
    """Median seconds per call over batches: CPU of this process, and wall."""

    cpu: float
    wall: float
    calls: int


def per_call(function, batches: int, calls: int) -> PerCall:
    """Run ``function`` ``calls`` times per batch; return the median per call."""
    for _ in range(calls):
        function()
    cpu, wall = [], []
    for _ in range(batches):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for _ in range(calls):
            function()
        cpu.append((time.process_time() - cpu_start) / calls)
        wall.append((time.perf_counter() - wall_start) / calls)
    return PerCall(statistics.median(cpu), statistics.median(wall), batches * calls)


def measure_score(assessment, batches: int) -> PerCall:
    """Time ``score`` on the answers and targets of ``assessment``."""
    catalogue = get_catalogue(assessment.framework_id)
    statuses = answer_statuses(assessment)
    targets = targets_of(assessment)
    return per_call(lambda: score(catalogue, statuses, targets), batches, SCORE_CALLS)


def measure_selector(assessment, batches: int) -> PerCall:
    """Time ``assessment_score``: reading the answers and targets, then scoring."""
    return per_call(lambda: assessment_score(assessment), batches, SELECTOR_CALLS)
