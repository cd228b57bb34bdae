"""The system checks warn about a missing CJK font or font subsetter."""

from pathlib import Path

from django.core.checks import Warning, run_checks

from reports import checks, fonts

A_FONT = fonts.CjkFont("Noto Sans CJK SC", Path("/fonts/NotoSansCJK-Regular.ttc"))


def report_warnings() -> dict[str, Warning]:
    return {m.id: m for m in run_checks() if m.id.startswith("reports.")}


def test_it_is_quiet_when_the_machine_has_both(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: A_FONT)
    monkeypatch.setattr(fonts, "has_harfbuzz_subset", lambda: True)

    assert report_warnings() == {}


def test_it_warns_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "has_harfbuzz_subset", lambda: True)

    warnings = report_warnings()

    assert list(warnings) == ["reports.W001"]
    assert isinstance(warnings["reports.W001"], Warning)
    assert "fonts-noto-cjk" in warnings["reports.W001"].hint


def test_it_warns_without_the_harfbuzz_subsetter(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: A_FONT)
    monkeypatch.setattr(fonts, "has_harfbuzz_subset", lambda: False)

    warnings = report_warnings()

    assert list(warnings) == ["reports.W002"]
    assert "libharfbuzz-subset0" in warnings["reports.W002"].hint


def test_each_check_answers_on_its_own(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "has_harfbuzz_subset", lambda: False)

    assert [m.id for m in checks.check_cjk_font(None)] == ["reports.W001"]
    assert [m.id for m in checks.check_harfbuzz_subset(None)] == ["reports.W002"]
