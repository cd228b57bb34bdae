"""Strict readers for settings taken from the environment.

Each reader names the variable and the expected form when a value is wrong,
so a mistyped deployment fails at start-up rather than behaving oddly later.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2}


def _raw(name: str, environ) -> str | None:
    value = (environ if environ is not None else os.environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, environ=None) -> str:
    """Return the variable as text, or ``default``; fail when neither exists."""
    value = _raw(name, environ)
    if value is not None:
        return value
    if default is None:
        raise ImproperlyConfigured(f"{name} must be set.")
    return default


def env_bool(name: str, default: bool, *, environ=None) -> bool:
    """Return the variable as a boolean written true/false, yes/no, on/off or 1/0."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0, environ=None) -> int:
    """Return the variable as an integer no smaller than ``minimum``."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_size(name: str, default: int, *, environ=None) -> int:
    """Return a size in bytes, written like ``26214400``, ``25M`` or ``512KB``."""
    value = _raw(name, environ)
    if value is None:
        return default
    digits = value.rstrip("bBkKmM")
    unit = value[len(digits) :].lower()
    if not digits.isdigit() or unit not in _SIZE_UNITS:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a size; write bytes or a number with K or M, "
            "such as 25M."
        )
    size = int(digits) * _SIZE_UNITS[unit]
    if size <= 0:
        raise ImproperlyConfigured(f"{name} must be larger than zero.")
    return size


def env_list(name: str, default: list[str], *, environ=None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices, *, environ=None) -> str:
    """Return the variable when it is one of ``choices``."""
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
    return value
