"""Render report HTML to PDF without letting it reach files or the network.

Report HTML carries text that organisations typed in, so every URL that
WeasyPrint meets goes through :class:`PortalURLFetcher`. It serves ``data:``
URLs and the portal's own static files, read in-process, and refuses
everything else before any file or socket is touched. Relative URLs resolve
against :data:`REPORT_BASE_URL`, a name under the reserved ``.invalid``
domain that is never contacted, so ``{% static %}`` works in report
templates unchanged.
"""

import logging
import posixpath
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

REPORT_BASE_URL = "https://portal.invalid/"

# The stylesheet every report gets, as a path among the static files.
REPORT_STYLESHEET = "reports/report.css"

# The kinds of static file a report may use; scripts, HTML and the rest of
# what the static folders hold have no business in a PDF.
STATIC_CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}

# Images embedded in a report are downsampled to this resolution.
IMAGE_DPI = 300


class RefusedURL(ValueError):
    """A URL the report renderer will not fetch."""


@dataclass(frozen=True)
class RenderedPDF:
    """The bytes of a rendered PDF and the number of its pages."""

    data: bytes
    page_count: int


class PortalURLFetcher(URLFetcher):
    """Serve ``data:`` URLs and the portal's static files; refuse the rest.

    The parent class is set up with no allowed protocol and no redirects, so
    even a call that bypassed :meth:`fetch` could not open anything.
    """

    def __init__(self, base_url: str = REPORT_BASE_URL):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        """Return the resource at ``url`` or raise :class:`RefusedURL`."""
        if url[:5].lower() == "data:":
            return self._fetch_data(url)
        if url.startswith(self.static_prefix):
            return self._fetch_static(url)
        logger.warning("Refused a URL in report HTML (scheme %s)", _scheme(url))
        raise RefusedURL(f"Reports may only use data: URLs and static files: {url}")

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        """Decode a ``data:`` URL, in memory."""
        response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only
        return URLFetcherResponse(
            url, response.read(), {"Content-Type": response.headers["Content-Type"]}
        )

    def _fetch_static(self, url: str) -> URLFetcherResponse:
        """Read a static file named by a URL under the static prefix."""
        relative = _static_relative_path(url[len(self.static_prefix) :])
        path = find_static_file(relative)
        if path is None:
            raise RefusedURL(f"No such static file for a report: {relative}")
        content_type = STATIC_CONTENT_TYPES[path.suffix.lower()]
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": content_type}
        )


def render_pdf(html: str, **options) -> bytes:
    """Render ``html`` to PDF bytes; takes the options of :func:`render_document`."""
    return render_document(html, **options).data


@dataclass(frozen=True)
class Contents:
    """A table of contents whose page numbers are written in after layout.

    ``document`` returns the HTML of the whole document given the number of
    pages to leave for the contents, as empty pages under an element whose
    id is ``anchor``; ``contents`` returns the HTML of the contents alone
    given the page number of every anchor of the document. Numbers written
    in as text take the place of CSS ``target-counter()``, which lays the
    pages using it out twice and cost more than laying the contents out on
    their own.
    """

    document: Callable[[int], str]
    contents: Callable[[dict[str, int]], str]
    anchor: str = "contents"


# How often a document is laid out for its contents to fit the room left
# for them: the second layout leaves the room the first contents took.
MAX_CONTENTS_ATTEMPTS = 3


class _Renderer:
    """Lay out HTML with one URL fetcher, font configuration and stylesheet set."""

    def __init__(self, base_url: str, stylesheets: Sequence[str]):
        self.base_url = base_url
        self.fetcher = PortalURLFetcher(base_url)
        self.font_config = FontConfiguration()
        self.stylesheets = [
            CSS(
                url=urljoin(self.fetcher.static_prefix, path),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
            for path in stylesheets
        ]

    def layout(self, html: str, extra_css: str = "") -> Document:
        """Return the laid-out pages of ``html``; ``extra_css`` is applied last."""
        stylesheets = list(self.stylesheets)
        if extra_css:
            stylesheets.append(CSS(string=extra_css, font_config=self.font_config))
        return HTML(
            string=html,
            base_url=self.base_url,
            url_fetcher=self.fetcher,
            media_type="print",
        ).render(
            font_config=self.font_config,
            stylesheets=stylesheets,
            presentational_hints=True,
            pdf_forms=False,
            custom_metadata=False,
            optimize_images=True,
            dpi=IMAGE_DPI,
        )

    def layout_with_contents(self, contents: Contents) -> Document:
        """Lay the document out, then its contents, and put them in place.

        The contents are laid out again when they take another number of
        pages than was left for them, which moves every later page.
        """
        pages = 1
        for _ in range(MAX_CONTENTS_ATTEMPTS):
            document = self.layout(contents.document(pages))
            numbers = anchor_pages(document)
            start = numbers[contents.anchor]
            numbered = self.layout(
                contents.contents(numbers),
                extra_css=_page_number_css(start, len(document.pages)),
            )
            if len(numbered.pages) == pages:
                kept = document.pages
                return document.copy(
                    kept[: start - 1] + numbered.pages + kept[start - 1 + pages :]
                )
            pages = len(numbered.pages)
        raise RuntimeError(
            f"The table of contents took {pages} pages, then another number; "
            "it could not be given room."
        )


def anchor_pages(document: Document) -> dict[str, int]:
    """Return the page number, from 1, of every anchor in ``document``.

    An element split over pages names each of them; its first counts.
    """
    pages = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def _page_number_css(start: int, total: int) -> str:
    """Return CSS numbering pages from ``start`` of ``total`` in the footer."""
    return (
        f'@page {{ @bottom-center {{ content: counter(page) " / {int(total)}" }} }}'
        f"@page :first {{ counter-increment: page {int(start)} }}"
    )


def render_document(
    source: str | Contents,
    *,
    title: str,
    author: str = "",
    subject: str = "",
    keywords: Sequence[str] = (),
    lang: str = "zh-CN",
    base_url: str = REPORT_BASE_URL,
    stylesheets: Sequence[str] = (REPORT_STYLESHEET,),
) -> RenderedPDF:
    """Render HTML, or a document with its contents, to a PDF.

    ``source`` is the HTML, or a :class:`Contents` whose page numbers are
    written in after layout. Only data: URLs and static files are fetched.
    The PDF's metadata comes from the arguments alone, never from ``<meta>``
    in the HTML, and no file is embedded in it, whatever links it holds.
    ``stylesheets`` are paths among the static files, applied as user
    stylesheets after the HTML's own.
    """
    started = time.perf_counter()
    renderer = _Renderer(base_url, stylesheets)
    if isinstance(source, Contents):
        document = renderer.layout_with_contents(source)
    else:
        document = renderer.layout(source)
    return _write(
        document,
        started=started,
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        lang=lang,
    )


def _write(
    document: Document, *, started, title, author, subject, keywords, lang
) -> RenderedPDF:
    """Set the metadata of ``document``, drop file links and write the PDF."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    document.metadata = DocumentMetadata(
        title=title,
        authors=[author] if author else [],
        description=subject or None,
        keywords=list(keywords),
        lang=lang,
        created=now,
        modified=now,
    )
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    pdf = document.write_pdf(attachments=[])

    logger.info(
        "Rendered a PDF report: %d pages, %d bytes in %.2f s",
        len(document.pages),
        len(pdf),
        time.perf_counter() - started,
    )
    return RenderedPDF(data=pdf, page_count=len(document.pages))


def find_static_file(relative: str) -> Path | None:
    """Return the static file a report may use at ``relative``, or None.

    Looks through the staticfiles finders, then ``STATIC_ROOT``, and accepts
    only a regular file of a type in :data:`STATIC_CONTENT_TYPES` whose real
    path lies inside one of those folders.
    """
    if Path(relative).suffix.lower() not in STATIC_CONTENT_TYPES:
        return None

    candidates = []
    found = finders.find(relative)
    if found:
        candidates.append(Path(found))
    if settings.STATIC_ROOT:
        candidates.append(Path(safe_join(settings.STATIC_ROOT, relative)))

    roots = _static_roots()
    for candidate in candidates:
        real = candidate.resolve()
        if real.is_file() and any(real.is_relative_to(root) for root in roots):
            return real
    return None


def _static_roots() -> list[Path]:
    """Return the real paths of every folder static files are found in."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.append(Path(storage.location).resolve())
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _static_relative_path(rest: str) -> str:
    """Turn the part of a URL after the static prefix into a relative path.

    Raises :class:`RefusedURL` for anything that could step out of the
    static folders: dot segments, empty segments, backslashes, NUL.
    """
    path = unquote(rest.partition("#")[0].partition("?")[0])
    segments = path.split("/")
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or any(segment in {"", ".", ".."} for segment in segments)
        or posixpath.isabs(path)
    ):
        raise RefusedURL(f"Not a plain static file path: {rest}")
    return path


def _scheme(url: str) -> str:
    """Return the scheme of ``url`` for logging, without the rest of it."""
    scheme, colon, _ = url.partition(":")
    return scheme.lower() if colon and scheme.isascii() else "none"
