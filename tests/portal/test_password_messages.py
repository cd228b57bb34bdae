"""Password pages in Chinese: Django's own messages in the portal's wording.

Django's catalogue has no Chinese for the too-short message since Django
5.2 renamed it, and says 你 where the portal says 您; the portal's catalogue
words these messages itself (``portal/stock_messages.py``).
"""

import ast
from pathlib import Path

import django
import polib
import pytest
from django import forms
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from assessments.models import Role
from tests.assessments.assessment_factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).parent
CATALOGUE = ROOT / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ENGLISH_PASSWORD_MESSAGES = ("This password", "Your password", "Your old password")


@pytest.fixture
def user(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("wang", password="Correct-horse-9")


def _errors(body: str) -> str:
    """Return the first list of errors on a page."""
    return body.split('class="errorlist')[1].split("</ul>")[0]


def _marked_messages():
    """Return the (msgid, msgid_plural) pairs that stock_messages.py marks."""
    tree = ast.parse((ROOT / "portal" / "stock_messages.py").read_text())
    pairs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
            "gettext_noop",
            "ngettext_lazy",
        }:
            texts = [arg.value for arg in node.args]
            pairs.append((texts[0], texts[1] if len(texts) > 1 else ""))
    return pairs


def test_every_message_worded_here_is_one_of_djangos():
    django_msgids = {
        (entry.msgid, entry.msgid_plural)
        for catalogue in ("conf/locale", "contrib/auth/locale")
        for entry in polib.pofile(str(DJANGO / catalogue / "en/LC_MESSAGES/django.po"))
    }

    marked = _marked_messages()

    assert len(marked) == 9
    assert [pair for pair in marked if pair not in django_msgids] == []


def test_the_password_page_speaks_chinese_with_the_formal_you(user, client):
    client.force_login(user)

    body = client.get(reverse("password_change"), **ZH).content.decode()

    assert "您的密码" in body
    assert "你" not in body
    assert not [text for text in ENGLISH_PASSWORD_MESSAGES if text in body]


def test_a_short_new_password_is_refused_in_chinese(user, client):
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Correct-horse-9",
            "new_password1": "Qz7#",
            "new_password2": "Qz7#",
        },
        **ZH,
    )

    body = response.content.decode()
    errors = _errors(body)
    assert response.status_code == 200
    assert "too short" not in body
    assert "8" in errors
    assert "密码" in errors
    assert "你" not in body


def test_a_wrong_old_password_is_refused_with_the_formal_you(user, client):
    client.force_login(user)

    body = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "quiet-river-basalt-71",
            "new_password2": "quiet-river-basalt-71",
        },
        **ZH,
    ).content.decode()

    assert "incorrectly" not in body
    assert "您" in _errors(body)
    assert "你" not in body


def test_creating_an_account_refuses_a_short_password_in_chinese(db, client):
    admin = MembershipFactory(role=Role.ADMIN)
    client.force_login(admin.user)

    response = client.post(
        reverse("assessments:member-create", args=[admin.organisation.slug]),
        {
            "create-username": "zhao",
            "create-password": "Qz7#",
            "create-role": "viewer",
        },
        **ZH,
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "too short" not in body
    assert "密码" in _errors(body)
    assert not User.objects.filter(username="zhao").exists()


def test_field_errors_take_the_portals_wording(db):
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(CATALOGUE))}
    too_long = catalogue[
        "Ensure this value has at most %(limit_value)d character (it has "
        "%(show_value)d)."
    ].msgstr_plural[0]
    value = "not a url, and far too long"
    field = forms.URLField(max_length=20, assume_scheme="https")

    with translation.override("zh-hans"), pytest.raises(forms.ValidationError) as e:
        field.clean(value)

    assert sorted(e.value.messages) == sorted(
        [
            catalogue["Enter a valid URL."].msgstr,
            too_long % {"limit_value": 20, "show_value": len("https://" + value)},
        ]
    )
