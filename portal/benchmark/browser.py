"""What a browser sends when the questionnaire's script autosaves an answer.

``static/assessments/questionnaire.js`` posts ``new FormData(form)`` of the
answer form to the form's action, with ``Accept: application/json``, and
carries the ``version`` of each 200 response into the next save. The
helpers here read those fields from a questionnaire page and encode them
as FormData does, as multipart/form-data.
"""

import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

ANSWER_ACTION_SUFFIX = "/answer/"
JSON_ACCEPT = "application/json"


@dataclass
class AnswerForm:
    """The action of one answer form and the fields FormData would send."""

    action: str
    fields: dict[str, str]

    def with_text(self, justification: str, version: int) -> dict[str, str]:
        """Return the fields after typing ``justification``, based on ``version``."""
        return {**self.fields, "justification": justification, "version": str(version)}


class _FormReader(HTMLParser):
    """Collect the successful controls of every answer form of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, AnswerForm] = {}
        self.form = None
        self.select = None
        self.first_option = None
        self.textarea = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("action", "").endswith(ANSWER_ACTION_SUFFIX):
            self.form = AnswerForm(attrs["action"], {})
            self.forms[attrs["action"]] = self.form
        if self.form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            self.form.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self.select, self.first_option = name, None
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.form.fields[self.select] = value
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select:
            self.form.fields.setdefault(self.select, self.first_option or "")
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.form.fields[self.textarea] = "".join(self.text)
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)


def answer_forms(html: str) -> dict[str, AnswerForm]:
    """Return action -> answer form of every answer form in ``html``."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def answer_form(html: str, action: str) -> AnswerForm:
    """Return the answer form posting to ``action``, or raise LookupError."""
    form = answer_forms(html).get(action)
    if form is None:
        raise LookupError(f"The page has no answer form posting to {action}.")
    return form


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """Encode ``fields`` as multipart/form-data; return the body and its type."""
    boundary = f"----BenchmarkFormBoundary{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n"
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"
