"""The PDF renderer fetches nothing but data: URLs and the portal's static files.

Two walls are tested: the URL fetcher on its own, and whole PDFs rendered
from hostile text, both escaped by a template (as reports render it) and
marked safe by mistake.
"""

import base64

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reports.pdf import REPORT_BASE_URL, PortalURLFetcher, RefusedURL, render_pdf


def hostile_snippets(port: int) -> list[str]:
    """Return markup that would make a careless renderer read or call out."""
    return [
        '<link rel="attachment" href="file:///etc/hostname">',
        f'<img src="http://127.0.0.1:{port}/x.png">',
        '<p style="background: url(file:///etc/passwd)">背景</p>',
    ]


def unescaped_markup(port: int, secret_path) -> str:
    """Return hostile markup with more ways to reach files and the network."""
    secret = secret_path.as_uri()
    return "".join(
        [
            *hostile_snippets(port),
            f'<link rel="attachment" href="{secret}">',
            f'<a rel="attachment" href="{secret}">附件</a>',
            '<a rel="attachment" href="data:text/plain,embedded">数据附件</a>',
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">',
            f"<style>@import url(http://127.0.0.1:{port}/import.css);"
            f'@font-face {{ font-family: "X"; src: url({secret}),'
            ' local("Noto Sans CJK SC"); }'
            f" h2 {{ background: url(http://127.0.0.1:{port}/bg.png) }}</style>",
            f'<svg><image href="http://127.0.0.1:{port}/svg.png" width="9" height="9"/>'
            f'<image href="{secret}" width="9" height="9"/></svg>',
            f'<object data="http://127.0.0.1:{port}/object.svg"></object>',
            f'<iframe src="{secret}"></iframe>',
            f'<embed src="http://127.0.0.1:{port}/embed.png">',
        ]
    )


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("do not embed me")
    return path


def sample_html(note) -> str:
    """Render the plain-blocks template with ``note`` as a user's text."""
    return render_to_string(
        "reports/plain_blocks.html",
        {
            "title": "成熟度评估报告",
            "requirements": [
                {
                    "code": "STR-1.1",
                    "text": "应具备基本的管理活动。",
                    "notes": [note],
                }
            ],
        },
    )


class TestFetcher:
    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/hostname",
            "file:///etc/passwd",
            "FILE:///etc/passwd",
            "http://127.0.0.1:9/x.png",
            "https://example.com/static/reports/report.css",
            "ftp://example.com/x.css",
            "javascript:alert(1)",
            "/static/reports/report.css",
            f"{REPORT_BASE_URL}media/evidence.pdf",
            f"{REPORT_BASE_URL}static/../portal/settings.py",
            f"{REPORT_BASE_URL}static/reports/../../portal/settings.py",
            f"{REPORT_BASE_URL}static/reports/%2e%2e/%2e%2e/portal/settings.py",
            f"{REPORT_BASE_URL}static/reports/..%2f..%2fportal%2fsettings.py",
            f"{REPORT_BASE_URL}static//etc/passwd",
            f"{REPORT_BASE_URL}static/%2Fetc%2Fpasswd",
            f"{REPORT_BASE_URL}static/portal/portal.js",
            f"{REPORT_BASE_URL}static/reports/missing.css",
        ],
    )
    def test_it_refuses(self, url):
        with pytest.raises(RefusedURL):
            PortalURLFetcher().fetch(url)

    def test_it_opens_no_file_for_refused_urls(self, secret_file, opened_paths):
        fetcher = PortalURLFetcher()

        for url in ["file:///etc/passwd", "file:///etc/hostname", secret_file.as_uri()]:
            with pytest.raises(RefusedURL):
                fetcher.fetch(url)

        assert not [
            path
            for path in opened_paths
            if path.startswith("/etc/") or path == str(secret_file)
        ]

    def test_it_sends_no_request_for_refused_urls(self, http_server):
        port = http_server.server_address[1]

        for path in ["/x.png", "/redirect"]:
            with pytest.raises(RefusedURL):
                PortalURLFetcher().fetch(f"http://127.0.0.1:{port}{path}")

        assert http_server.requests == []

    def test_it_refuses_even_through_the_parent_opener(self):
        # The inherited opener is set up to allow no protocol at all.
        with pytest.raises(ValueError, match="disallowed protocol"):
            URLFetcher.fetch(PortalURLFetcher(), "file:///etc/passwd")

    def test_it_decodes_data_urls(self):
        body = base64.b64encode(b"<svg/>").decode()

        response = PortalURLFetcher().fetch(f"data:image/svg+xml;base64,{body}")

        assert response.read() == b"<svg/>"
        assert response.content_type == "image/svg+xml"

    def test_it_serves_the_report_stylesheet(self):
        response = PortalURLFetcher().fetch(
            f"{REPORT_BASE_URL}static/reports/report.css"
        )

        assert response.content_type == "text/css"
        assert b"@page" in response.read()

    def test_it_refuses_a_symlink_out_of_the_static_folder(
        self, settings, tmp_path, secret_file
    ):
        static = tmp_path / "static"
        static.mkdir()
        (static / "leak.css").symlink_to(secret_file)
        settings.STATICFILES_DIRS = [static]
        settings.STATIC_ROOT = tmp_path / "collected"

        with pytest.raises(RefusedURL):
            PortalURLFetcher().fetch(f"{REPORT_BASE_URL}static/leak.css")

    def test_it_serves_collected_files_from_static_root(self, settings, tmp_path):
        collected = tmp_path / "collected" / "reports"
        collected.mkdir(parents=True)
        (collected / "extra.css").write_text("p { color: red }")
        settings.STATICFILES_DIRS = []
        settings.STATIC_ROOT = tmp_path / "collected"

        response = PortalURLFetcher().fetch(
            f"{REPORT_BASE_URL}static/reports/extra.css"
        )

        assert response.read() == b"p { color: red }"


class TestEscapedUserText:
    def test_it_prints_the_text_and_fetches_nothing(
        self, http_server, opened_paths, pdf_text, pdf_contents
    ):
        snippets = hostile_snippets(http_server.server_address[1])

        pdf = render_pdf(sample_html(" ".join(snippets)), title="报告")

        text = "".join(pdf_text(pdf).split())
        for snippet in snippets:
            assert "".join(snippet.split()) in text
        assert pdf_contents(pdf) == {
            "embedded_files": 0,
            "images": 0,
            "file_attachments": 0,
        }
        assert http_server.requests == []
        assert "/etc/hostname" not in opened_paths
        assert "/etc/passwd" not in opened_paths


class TestUnescapedMarkup:
    def test_it_fetches_nothing(
        self, http_server, secret_file, opened_paths, pdf_text, pdf_contents
    ):
        markup = unescaped_markup(http_server.server_address[1], secret_file)

        pdf = render_pdf(sample_html(mark_safe(markup)), title="报告")  # noqa: S308

        assert "STR-1.1" in pdf_text(pdf)
        assert pdf_contents(pdf) == {
            "embedded_files": 0,
            "images": 0,
            "file_attachments": 0,
        }
        assert http_server.requests == []
        assert not {"/etc/hostname", "/etc/passwd", str(secret_file)} & set(
            opened_paths
        )

    def test_the_same_markup_leaks_with_weasyprints_own_fetcher(
        self, http_server, secret_file, pdf_contents
    ):
        # Shows that the checks above would see a fetch if one happened.
        markup = unescaped_markup(http_server.server_address[1], secret_file)

        pdf = HTML(string=sample_html(mark_safe(markup))).write_pdf()  # noqa: S308

        assert "/x.png" in http_server.requests
        assert pdf_contents(pdf)["embedded_files"] > 0
