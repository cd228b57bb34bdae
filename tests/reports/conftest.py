"""Helpers for the report tests: reading real PDFs and watching for fetches."""

import builtins
import contextlib
import datetime
import io
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject


@pytest.fixture
def pdf_text(tmp_path):
    """Return a function giving the text pdftotext reads from PDF bytes."""

    def extract(pdf: bytes) -> str:
        path = tmp_path / "extract.pdf"
        path.write_bytes(pdf)
        completed = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
        )
        return completed.stdout.decode("utf-8")

    return extract


def pdf_dictionaries(pdf: bytes) -> list[DictionaryObject]:
    """Return every dictionary object of a PDF, object streams included."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            value = reader.get_object(number)
        except Exception:  # noqa: S112 - a free slot in the xref table
            continue
        if isinstance(value, DictionaryObject):
            found.append(value)
    return found


@pytest.fixture
def pdf_contents():
    """Return a function listing embedded files, images and file links."""

    def contents(pdf: bytes) -> dict[str, int]:
        dictionaries = pdf_dictionaries(pdf)
        root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
        names = root.get("/Names", {})
        return {
            "embedded_files": sum(
                d.get("/Type") == "/EmbeddedFile" for d in dictionaries
            )
            + ("/EmbeddedFiles" in names),
            "images": sum(d.get("/Subtype") == "/Image" for d in dictionaries),
            "file_attachments": sum(
                d.get("/Subtype") == "/FileAttachment" for d in dictionaries
            ),
        }

    return contents


class _RecordingHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def recording_server():
    """Serve on 127.0.0.1 in a thread and record every request path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def http_server():
    """Serve on 127.0.0.1 in a thread and record every request path."""
    with recording_server() as server:
        yield server


@contextlib.contextmanager
def recording_opened_paths():
    """Record every path Python code opens or stats inside the block."""
    paths = []
    real_open, real_io_open = builtins.open, io.open
    real_os_open, real_stat = os.open, os.stat

    def spy(real):
        def wrapper(file, *args, **kwargs):
            if isinstance(file, str | bytes | os.PathLike):
                paths.append(os.fsdecode(file))
            return real(file, *args, **kwargs)

        return wrapper

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", spy(real_open))
        patch.setattr(io, "open", spy(real_io_open))
        patch.setattr(os, "open", spy(real_os_open))
        patch.setattr(os, "stat", spy(real_stat))
        yield paths


@pytest.fixture
def opened_paths():
    """Record every path Python code opens or stats while the test runs."""
    with recording_opened_paths() as paths:
        yield paths


def pdftotext_pages(pdf: bytes, folder) -> list[str]:
    """Return the text pdftotext reads from each page of ``pdf``."""
    path = folder / "extract.pdf"
    path.write_bytes(pdf)
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    # pdftotext ends every page with a form feed.
    return completed.stdout.decode("utf-8").split("\f")[:-1]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Keep the files the tests store under a folder of their own."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def people(framework):
    """Return the personas of an organisation, an auditor and outsiders.

    ``people.assessment`` is a sparse assessment of the real standard with
    a few answers; the auditor is granted it, ``expired_auditor`` was.
    """
    from assessments.models import AuditorGrant
    from tests.assessments.assessment_factories import (
        AnswerFactory,
        AssessmentFactory,
        UserFactory,
    )
    from tests.reports.report_data import TARGETS, build_people

    people = build_people(framework)
    people.assessment = AssessmentFactory(
        organisation=people.organisation,
        framework=framework,
        created_by=people.assessor,
        title="2025 年度评估",
        targets=TARGETS,
    )
    AuditorGrant.objects.create(
        assessment=people.assessment, user=people.auditor, granted_by=people.admin
    )
    people.expired_auditor = UserFactory(username="auditor-expired")
    AuditorGrant.objects.create(
        assessment=people.assessment,
        user=people.expired_auditor,
        granted_by=people.admin,
        expires_on=datetime.date(2020, 1, 1),
    )
    requirements = framework.requirements.order_by("sequence")[:5]
    people.answers = [
        AnswerFactory(assessment=people.assessment, requirement=r, version=1)
        for r in requirements
    ]
    return people


@pytest.fixture
def fake_render(monkeypatch):
    """Replace the PDF renderer with a fast one; return the calls it got."""
    from reports import rendering
    from reports.pdf import RenderedPDF

    calls = []

    def render(context, *, number=""):
        calls.append(SimpleNamespace(revision=context.revision, number=number))
        return RenderedPDF(data=b"%PDF-1.4\n% report\n%%EOF\n", page_count=3)

    monkeypatch.setattr(rendering, "render_report", render)
    return calls


@pytest.fixture
def enqueued(monkeypatch):
    """Record the report ids sent to the render task instead of sending them."""
    from reports import tasks

    sent = []
    monkeypatch.setattr(tasks.render_report, "delay", sent.append)
    return sent


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
