"""The errors raised when an imported or uploaded file is refused."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Past this many problems a long list helps nobody; the rest are counted.
MAX_LISTED = 30


class FileRefused(ValidationError):
    """Raised when a file cannot be applied; ``messages`` lists every problem."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        problems = list(problems)
        if len(problems) > MAX_LISTED:
            rest = len(problems) - MAX_LISTED
            problems = [
                *problems[:MAX_LISTED],
                _("… and %(count)d more problems.") % {"count": rest},
            ]
        super().__init__(problems, code="refused")


class FileTooLarge(FileRefused):
    """Raised when a file is refused for its size alone, before it is read."""
