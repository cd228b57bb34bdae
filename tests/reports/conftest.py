"""Helpers for the report tests: reading real PDFs and watching for fetches."""

import builtins
import io
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


@pytest.fixture
def http_server():
    """Serve on 127.0.0.1 in a thread and record every request path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def opened_paths(monkeypatch):
    """Record every path Python code opens or stats while the test runs."""
    paths = []
    real_open, real_io_open = builtins.open, io.open
    real_os_open, real_stat = os.open, os.stat

    def spy(real):
        def wrapper(file, *args, **kwargs):
            if isinstance(file, str | bytes | os.PathLike):
                paths.append(os.fsdecode(file))
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    monkeypatch.setattr(os, "stat", spy(real_stat))
    return paths
