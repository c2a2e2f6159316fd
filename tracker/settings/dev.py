"""`make run`: the whole app on one machine with nothing but Python (SQLite, file broker, mail folder)."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# The demo carrier runs a day of a journey in 30 seconds: a DEMO code travels in about 10 minutes.
os.environ.setdefault("SANDBOX_ENABLED", "true")
os.environ.setdefault("SANDBOX_TIME_SCALE", "2880")

from tracker.settings.base import *  # noqa: F403
from tracker.settings.base import CELERY_BROKER_DIR, MAIL_DIR, VAR_DIR

for folder in (VAR_DIR, MAIL_DIR, CELERY_BROKER_DIR / "queue", CELERY_BROKER_DIR / "control"):
    folder.mkdir(parents=True, exist_ok=True)

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
