"""A benchmark of pages, autosave, scoring and reports, run by ``manage.py benchmark``.

It works in a PostgreSQL database and a folder of its own, created for the
run and removed at the end, and never reads or writes the configured
database, the evidence files or the reports of the portal it runs beside.
"""
