"""Settings package of the maturity portal: settings, URLs, WSGI/ASGI, Celery."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
