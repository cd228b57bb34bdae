"""The table's rows and notes, from what each part of the benchmark measured.

Each figure stands beside the baseline measured in the same run and their
ratio; figures with a target say PASS or FAIL.
"""

from portal.benchmark import load, report_queue
from portal.benchmark.results import (
    Row,
    kib,
    mib,
    ms,
    per_second,
    ratio,
    secs,
    times,
)

PAGE_RATIO = 3.0
AUTOSAVE_THROUGHPUT_SHARE = 0.5
SCORE_CPU = 0.001
PDF_RATIO = 2.0
MINIMAL = "minimal"


def page_rows(scale: str, timings: dict, labels: dict[str, str], repeat: int):
    """Return the median and queries of each page against the minimal page."""
    minimal = timings[MINIMAL]
    rows = [
        Row(
            f"{labels[MINIMAL]}, median of {repeat}",
            scale,
            ms(minimal.median),
        ),
        Row(f"{labels[MINIMAL]}, queries", scale, str(minimal.queries)),
    ]
    for name, timing in timings.items():
        if name == MINIMAL:
            continue
        factor = ratio(timing.median, minimal.median)
        rows.append(
            Row(
                f"{labels[name]}, median",
                scale,
                ms(timing.median),
                ms(minimal.median),
                times(factor),
                f"≤ {PAGE_RATIO:g}× minimal",
                factor is not None and factor <= PAGE_RATIO,
            )
        )
        rows.append(
            Row(
                f"{labels[name]}, queries",
                scale,
                str(timing.queries),
                str(minimal.queries),
                times(ratio(timing.queries, minimal.queries)),
            )
        )
    return rows


def query_rows(queries: dict[str, dict[str, int]], labels: dict[str, str]):
    """Return whether each page ran as many queries at both scales."""
    (small, before), (large, after) = queries.items()
    rows = []
    for name, count in before.items():
        rows.append(
            Row(
                f"{labels[name]}, queries {small} → {large}",
                "both",
                f"{count} → {after[name]}",
                str(count),
                times(ratio(after[name], count)),
                "equal",
                count == after[name],
            )
        )
    return rows


def autosave_rows(scale: str, timing, minimal, code: str):
    return [
        Row(
            f"{timing.name} {code} in-process, median",
            scale,
            ms(timing.median),
            ms(minimal.median),
            times(ratio(timing.median, minimal.median)),
        ),
        Row(
            f"{timing.name} in-process, queries",
            scale,
            str(timing.queries),
            str(minimal.queries),
            times(ratio(timing.queries, minimal.queries)),
        ),
    ]


def selector_rows(scale: str, selector, alone):
    """Return the selector's cost per call against ``score`` alone."""
    return [
        Row(
            f"assessment_score() per call, {label}",
            scale,
            ms(getattr(selector, kind)),
            ms(getattr(alone, kind)),
            times(ratio(getattr(selector, kind), getattr(alone, kind))),
        )
        for label, kind in (("wall", "wall"), ("CPU", "cpu"))
    ]


def score_row(scale: str, alone) -> Row:
    return Row(
        f"score() per call, CPU ({alone.calls} calls)",
        scale,
        ms(alone.cpu),
        "",
        "",
        f"< {ms(SCORE_CPU)}",
        alone.cpu < SCORE_CPU,
    )


def throughput_row(scale: str, clients: int, saves, minimal) -> Row:
    factor = ratio(saves.throughput, minimal.throughput)
    return Row(
        f"autosave, {clients} clients over HTTP",
        scale,
        per_second(saves.throughput),
        per_second(minimal.throughput),
        times(factor),
        f"≥ {AUTOSAVE_THROUGHPUT_SHARE:g}× minimal",
        factor is not None and factor >= AUTOSAVE_THROUGHPUT_SHARE,
    )


def throughput_note(server, clients: int, duration: float, saves, minimal) -> str:
    return (
        f"Throughput: {server.description}, {clients} clients for {duration:g} s "
        f"in {load.ROUNDS} rounds taking turns, each after {load.WARM_UP:g} s of "
        f"warm-up; each client is its own user saving its own requirement. "
        f"Autosave responses: {saves.summary}, median latency "
        f"{ms(saves.median_latency)}; minimal page: {minimal.summary}, median "
        f"latency {ms(minimal.median_latency)}. Only 200 responses count."
    )


def pdf_rows(scale: str, report, plain):
    """Return the report's render against the plain blocks'."""
    factor = ratio(report.wall, plain.wall)
    rows = [
        Row(
            f"PDF report vs plain blocks, render wall (median of {report.runs})",
            scale,
            secs(report.wall),
            secs(plain.wall),
            times(factor),
            f"≤ {PDF_RATIO:g}× plain",
            factor is not None and factor <= PDF_RATIO,
        )
    ]
    for name, show, value, baseline in (
        ("render CPU", secs, report.cpu, plain.cpu),
        ("peak RSS", mib, report.peak_kb, plain.peak_kb),
        ("RSS growth", mib, report.growth_kb, plain.growth_kb),
        ("size", kib, report.size, plain.size),
        ("pages", str, report.pages, plain.pages),
    ):
        rows.append(
            Row(
                f"PDF report vs plain blocks, {name}",
                scale,
                show(value),
                show(baseline),
                times(ratio(value, baseline)),
            )
        )
    return rows


def pdf_content_rows(scale: str, report, plain_with_answers):
    """Return the report against plain blocks of the standard and the answers.

    No target: the row tells how much of the report's time is its layout
    rather than the volume of its text.
    """
    return [
        Row(
            f"PDF report vs plain blocks with answers, render {name}",
            scale,
            secs(value),
            secs(baseline),
            times(ratio(value, baseline)),
        )
        for name, value, baseline in (
            ("wall", report.wall, plain_with_answers.wall),
            ("CPU", report.cpu, plain_with_answers.cpu),
        )
    ]


def pdf_note(assessment, report) -> str:
    return (
        f"PDF: the report of assessment {assessment.pk}, each render in a freshly "
        f"forked process; report_context() took {secs(report.context_wall)} "
        "before the report's render. RSS growth is the peak over the child's "
        "resident size when it started."
    )


def queue_rows(scale: str, result):
    total = len(result.assessments)
    duplicated = len(result.duplicated)
    return [
        Row(
            "report queue, complete",
            scale,
            f"{result.complete}/{total}",
            "",
            "",
            f"all {total}",
            result.complete == total,
        ),
        Row(
            "report queue, lost", scale, str(result.lost), "", "", "0", not result.lost
        ),
        Row(
            "report queue, duplicated",
            scale,
            str(duplicated),
            "",
            "",
            "0",
            duplicated == 0,
        ),
        Row("report queue, failed records", scale, str(len(result.failed))),
        Row(
            "report queue, wall time vs workers always busy",
            scale,
            secs(result.wall),
            secs(result.ideal_wall),
            times(ratio(result.wall, result.ideal_wall)),
        ),
    ]


def queue_notes(result) -> list[str]:
    records = result.records
    reclaimed = sum(r.attempts > 1 for r in records)
    notes = [
        f"Queue: {result.requests} requests "
        f"({report_queue.REQUESTS_PER_ASSESSMENT} per assessment, "
        f"{report_queue.REQUEST_THREADS} threads) for {len(result.assessments)} "
        f"assessments made {len(records)} report records; "
        f"{report_queue.WORKERS} Celery workers (a pool of 1 each) logged "
        f"{sum(result.rendered.values())} renders of {len(result.rendered)} "
        f"reports; records claimed more than once: {reclaimed}; requests answered "
        f"with another record than the other request of their assessment: "
        f"{result.disagreements}"
        + ("; timed out waiting" if result.timed_out else "")
        + "."
    ]
    notes += [f"Failed report R-{r.pk:06d}: {r.error}" for r in result.failed[:5]]
    return notes
