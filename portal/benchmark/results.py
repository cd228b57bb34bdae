"""The benchmark's table: each figure beside its baseline, ratio and target."""

from dataclasses import dataclass

RESULTS = {True: "PASS", False: "FAIL"}
HEADERS = ("measurement", "scale", "value", "baseline", "ratio", "target", "result")


@dataclass(frozen=True)
class Row:
    name: str
    scale: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    # True, False, or None for a figure without a target.
    passed: bool | None = None

    @property
    def result(self) -> str:
        return "" if self.passed is None else RESULTS[self.passed]

    def cells(self) -> tuple[str, ...]:
        return (
            self.name,
            self.scale,
            self.value,
            self.baseline,
            self.ratio,
            self.target,
            self.result,
        )


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return value / baseline


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.1f} s"


def mib(kilobytes: float | None) -> str:
    return "—" if kilobytes is None else f"{kilobytes / 1024:.0f} MiB"


def kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"


def per_second(value: float) -> str:
    return f"{value:.1f} req/s"


def table(rows: list[Row]) -> str:
    """Return ``rows`` as a fixed-width text table under a header line."""
    lines = [HEADERS, *(row.cells() for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(7)]
    text = []
    for number, line in enumerate(lines):
        text.append(
            "  ".join(
                cell.ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
        )
        if number == 0:
            text.append("  ".join("-" * width for width in widths))
    return "\n".join(text)


def verdicts(rows: list[Row]) -> str:
    passed = sum(row.passed is True for row in rows)
    failed = sum(row.passed is False for row in rows)
    return f"Targets: {passed} PASS, {failed} FAIL."
