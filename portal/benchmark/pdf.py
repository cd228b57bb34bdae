"""The full PDF report against plain blocks of the same texts, each in a fresh child.

The yardstick is the standard's requirement texts as plain blocks; the same
blocks with each answer's texts added are measured beside it, for
information.

Every render runs in a child forked for it, which reports its own wall and
CPU time and its memory, so neither render profits from fonts or caches
the other loaded. A forked child starts with the parent's resident memory,
so besides the peak the child reports how much it grew while rendering.
"""

import multiprocessing
import resource
import statistics
import time
import traceback
from dataclasses import dataclass

from django.db import connections

from assessments.models import Assessment
from maturity.models import Framework
from reports import rendering, selectors

REPORT = "report"
PLAIN = "plain blocks"
# The same blocks carrying the answers' texts too: the report's content
# without its structure, which tells layout cost from the volume of text.
PLAIN_WITH_ANSWERS = "plain blocks with answers"


@dataclass(frozen=True)
class Render:
    """One render in a child process."""

    wall: float
    cpu: float
    # Building the report's content before rendering; zero for plain blocks.
    context_wall: float
    peak_kb: int
    growth_kb: int | None
    size: int
    pages: int


@dataclass(frozen=True)
class RenderSummary:
    """The medians of several renders of one kind."""

    kind: str
    runs: int
    wall: float
    cpu: float
    context_wall: float
    peak_kb: float
    growth_kb: float | None
    size: int
    pages: int


def measure_pdf(assessment, runs: int) -> dict[str, RenderSummary]:
    """Render the report of ``assessment`` and the plain blocks ``runs`` times each.

    The two kinds take turns, so that a slower minute of the machine
    falls on both.
    """
    renders = {REPORT: [], PLAIN: [], PLAIN_WITH_ANSWERS: []}
    for _ in range(runs):
        renders[REPORT].append(_in_child(_render_report, assessment.pk))
        renders[PLAIN].append(_in_child(_render_plain, assessment.framework_id))
        renders[PLAIN_WITH_ANSWERS].append(
            _in_child(_render_plain_with_answers, assessment.pk)
        )
    return {kind: _summary(kind, found) for kind, found in renders.items()}


def _summary(kind: str, renders: list[Render]) -> RenderSummary:
    growth = [render.growth_kb for render in renders]
    return RenderSummary(
        kind=kind,
        runs=len(renders),
        wall=statistics.median(render.wall for render in renders),
        cpu=statistics.median(render.cpu for render in renders),
        context_wall=statistics.median(render.context_wall for render in renders),
        peak_kb=statistics.median(render.peak_kb for render in renders),
        growth_kb=None if None in growth else statistics.median(growth),
        size=renders[-1].size,
        pages=renders[-1].pages,
    )


def _in_child(target, object_id: int) -> Render:
    """Run ``target(object_id)`` in a forked child and return what it measured."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    # The child opens its own database connection rather than sharing ours.
    connections.close_all()
    child = context.Process(target=_child_main, args=(target, object_id, sender))
    child.start()
    sender.close()
    try:
        outcome = receiver.recv()
    except EOFError:
        outcome = {"error": "the render process died without a result"}
    except BaseException:
        child.terminate()
        raise
    finally:
        child.join()
    if "error" in outcome:
        raise RuntimeError(f"Rendering failed in the child: {outcome['error']}")
    return Render(**outcome)


def _child_main(target, object_id: int, sender) -> None:
    try:
        sender.send(target(object_id))
    except BaseException:
        sender.send({"error": traceback.format_exc()})
    finally:
        connections.close_all()
        sender.close()


def _render_report(assessment_id: int) -> dict:
    start_kb = _reset_peak()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    context = selectors.report_context(Assessment.objects.get(pk=assessment_id))
    context_wall = time.perf_counter() - wall_start

    render_start, cpu_start = time.perf_counter(), time.process_time()
    rendered = rendering.render_report(context, number="R-000000")
    return _measured(rendered, render_start, cpu_start, start_kb, context_wall)


def _render_plain(framework_id: int) -> dict:
    start_kb = _reset_peak()
    render_start, cpu_start = time.perf_counter(), time.process_time()
    rendered = rendering.render_plain_blocks(Framework.objects.get(pk=framework_id))
    return _measured(rendered, render_start, cpu_start, start_kb, 0.0)


def _render_plain_with_answers(assessment_id: int) -> dict:
    assessment = Assessment.objects.get(pk=assessment_id)
    context = selectors.report_context(assessment)
    start_kb = _reset_peak()
    render_start, cpu_start = time.perf_counter(), time.process_time()
    rendered = rendering.render_plain_blocks(assessment.framework, context)
    return _measured(rendered, render_start, cpu_start, start_kb, 0.0)


def _measured(rendered, wall_start, cpu_start, start_kb, context_wall) -> dict:
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    peak_kb = _status_kb("VmHWM")
    if peak_kb is None:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "wall": wall,
        "cpu": cpu,
        "context_wall": context_wall,
        "peak_kb": peak_kb,
        "growth_kb": None if start_kb is None else peak_kb - start_kb,
        "size": len(rendered.data),
        "pages": rendered.page_count,
    }


def _reset_peak() -> int | None:
    """Reset the peak resident size to the current one, and return that, in KB.

    Linux only (``/proc/self/clear_refs``); elsewhere returns None and the
    peak stays the child's lifetime maximum.
    """
    try:
        with open("/proc/self/clear_refs", "w") as control:
            control.write("5")
    except OSError:
        return None
    return _status_kb("VmRSS")


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
