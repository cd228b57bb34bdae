"""Django's makemessages, also reading the strings of the Jinja2 templates.

xgettext reads Python files and Django templates; the questionnaire's body
is a Jinja2 template (``*.jinja``), whose strings would otherwise be left
out of the catalogue, and dropped from it with ``--no-obsolete``.
"""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines

from portal.jinja2 import jinja_messages


class Command(makemessages.Command):
    def build_potfiles(self):
        potfiles = super().build_potfiles()
        if self.domain == "django":
            for potfile in potfiles:
                self._add_jinja_messages(potfile)
        return potfiles

    def _add_jinja_messages(self, potfile: str) -> None:
        import polib

        catalogue = polib.pofile(potfile)
        known = {entry.msgid: entry for entry in catalogue}
        for folder in engines["jinja2"].template_dirs:
            for message in jinja_messages(Path(folder)):
                where = (message.path, str(message.line))
                entry = known.get(message.msgid)
                if entry is None:
                    entry = polib.POEntry(
                        msgid=message.msgid,
                        flags=["python-format"] if "%(" in message.msgid else [],
                    )
                    if message.msgid_plural:
                        entry.msgid_plural = message.msgid_plural
                        entry.msgstr_plural = {0: "", 1: ""}
                    catalogue.append(entry)
                    known[message.msgid] = entry
                entry.occurrences.append(where)
        catalogue.save(potfile)
