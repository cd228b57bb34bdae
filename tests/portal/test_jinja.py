"""The Jinja2 environment's helpers for the questionnaire's repeated blocks."""

from types import SimpleNamespace

from django.template import engines

from portal.jinja2 import requirement_body


def requirement(text, parts=()):
    return SimpleNamespace(text=text, parts=list(parts))


def render(item) -> str:
    return str(requirement_body(engines["jinja2"].env, item))


def test_it_renders_the_text_items_and_notes_of_a_requirement():
    html = render(
        requirement(
            "应建立模型风险管理制度。",
            [
                {"kind": "item", "text": "明确职责；"},
                {"kind": "item", "text": "定期评审。"},
                {"kind": "note", "text": "可参考行业指引。"},
            ],
        )
    )

    assert '<p class="requirement__text">应建立模型风险管理制度。</p>' in html
    assert "<li>明确职责；</li><li>定期评审。</li>" in html
    assert "注：</span>可参考行业指引。" in html


def test_it_escapes_what_the_text_says():
    html = render(requirement("<script>x</script>", [{"kind": "note", "text": "a&b"}]))

    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "a&amp;b" in html


def test_it_renders_each_text_once_and_tells_texts_apart():
    first = requirement("同一段文字。", [{"kind": "item", "text": "一"}])
    again = requirement("同一段文字。", [{"kind": "item", "text": "一"}])
    other_parts = requirement("同一段文字。", [{"kind": "note", "text": "一"}])

    assert requirement_body(engines["jinja2"].env, first) is requirement_body(
        engines["jinja2"].env, again
    )
    assert render(first) != render(other_parts)
    assert "<li>一</li>" in render(first)
    assert "注：</span>一" in render(other_parts)
