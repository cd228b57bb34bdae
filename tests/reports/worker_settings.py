"""Settings of the Celery workers the report tests start and kill.

The portal's own settings, plus the pause of ``reports.services`` that
holds a render between claim and rendering long enough to kill the worker,
and a sweep for the messages of lost workers every second instead of every
hundred seconds or so, so that redelivery follows the visibility timeout
closely. Workers get it through DJANGO_SETTINGS_MODULE.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import CELERY_BROKER_TRANSPORT_OPTIONS

REPORT_RENDER_PAUSE = float(os.environ.get("REPORT_RENDER_PAUSE", "0"))

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
