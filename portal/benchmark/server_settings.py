"""Settings of the benchmark's server: the portal's, with uncompressed static files.

WhiteNoise's storage compresses every collected file, a minute of CPU on a
small machine, and the benchmark asks for no static file; pages read the
same manifest for ``{% static %}`` either way.
"""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
