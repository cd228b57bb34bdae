"""Reachability checks of the services the portal depends on."""

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> dict:
    """Run a trivial query on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        # Whatever the failure, the database cannot serve the portal; the
        # details go to the log, not to anonymous callers.
        logger.warning("database unreachable: %s", error)
        return {"ok": False, "vendor": connection.vendor}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    """Ping the Redis broker, or report that tasks run eagerly without one."""
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}

    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except redis.RedisError as error:
        logger.warning("broker unreachable: %s", error)
        return {"ok": False, "mode": "redis"}
    return {"ok": True, "mode": "redis"}
