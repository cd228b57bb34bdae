"""Read-only catalogue pages of the maturity model."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from maturity import selectors
from maturity.models import Framework, Module

SEARCH_QUERY_MAX_LENGTH = 100


def _framework_or_404(code, version=None):
    try:
        return selectors.get_framework(code, version)
    except Framework.DoesNotExist as error:
        raise Http404(str(error)) from None


def _context(framework, **extra):
    """Return the context every catalogue page shares, plus ``extra``."""
    return {
        "framework": framework,
        "versions": selectors.installed_versions(framework.code),
        "q": "",
        **extra,
    }


def _overview(request, framework):
    context = _context(framework, modules=selectors.catalogue_outline(framework))
    return render(request, "maturity/catalogue.html", context)


@login_required
def catalogue(request):
    """Show the modules and stages of the latest installed version."""
    framework = Framework.objects.latest_version(selectors.DEFAULT_FRAMEWORK_CODE)
    if framework is None:
        return render(request, "maturity/catalogue.html", {"framework": None})
    return _overview(request, framework)


@login_required
def framework_detail(request, code, version):
    """Show the modules and stages of one version of a framework."""
    return _overview(request, _framework_or_404(code, version))


@login_required
def levels(request, code, version):
    """Show the definitions of the five capability maturity levels."""
    framework = _framework_or_404(code, version)
    context = _context(framework, levels=selectors.levels_of(framework))
    return render(request, "maturity/levels.html", context)


@login_required
def principles(request, code, version):
    """Show the governance principles."""
    framework = _framework_or_404(code, version)
    context = _context(framework, principles=selectors.principles_of(framework))
    return render(request, "maturity/principles.html", context)


@login_required
def module_detail(request, code, version, module):
    """Show one module with its requirements by level, or by stage and level."""
    framework = _framework_or_404(code, version)
    try:
        detail = selectors.module_detail(framework, module)
    except Module.DoesNotExist:
        raise Http404(_("No such module in this version of the standard.")) from None
    return render(request, "maturity/module_detail.html", _context(framework, **detail))


def highlight(text, terms, *, word_start=False):
    """Split ``text`` into ``(segment, is_match)`` pairs around any of ``terms``.

    ``word_start`` marks only matches at a word's start, as the search finds
    English names.
    """
    if not terms or not text:
        return [(text, False)]
    # Longest first, so that a word inside a longer one does not cut it.
    patterns = [
        selectors.term_pattern(term, word_start=word_start).pattern
        for term in sorted(terms, key=len, reverse=True)
    ]
    pieces = re.split(f"({'|'.join(patterns)})", text, flags=re.IGNORECASE)
    return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def _area(area, terms):
    return {
        "name": highlight(area.name, terms),
        "name_en": highlight(area.name_en, terms, word_start=True),
    }


@login_required
def search(request, code, version):
    """Find requirements by code, by words of their text or of their area."""
    framework = _framework_or_404(code, version)
    q = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    terms = selectors.search_terms(q)
    results = [
        {
            "requirement": requirement,
            "url": f"{requirement.module.get_absolute_url()}#{requirement.code}",
            "module": _area(requirement.module, terms),
            "stage": _area(requirement.stage, terms) if requirement.stage else None,
            "code": highlight(requirement.code, terms),
            "text": highlight(requirement.text, terms),
            "parts": [
                {"kind": part["kind"], "text": highlight(part["text"], terms)}
                for part in requirement.parts
            ],
        }
        for requirement in selectors.search_requirements(framework, q)
    ]
    context = _context(framework, results=results)
    context["q"] = q
    return render(request, "maturity/search.html", context)
