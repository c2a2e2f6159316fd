"""pytest: fast hashing, mail in memory, tasks run inline; PostgreSQL and Redis when they answer."""

import hashlib
import os
import socket
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("CACHE_URL", "locmemcache://")


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 1):
            return True
    except OSError:
        return False


# Told to the test run's header by tests/conftest.py, so a skipped service is never silent.
SERVICE_NOTES: list[str] = []
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url.startswith("postgres") and not _answers(_database_url, 5432):
    SERVICE_NOTES.append(f"PostgreSQL at {_database_url} does not answer: tests run on SQLite")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
elif not _database_url:
    SERVICE_NOTES.append("DATABASE_URL is not set: tests run on SQLite")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"

TEST_REDIS_URL = os.environ.get("REDIS_URL", "")
if TEST_REDIS_URL and not _answers(TEST_REDIS_URL, 6379):
    SERVICE_NOTES.append(f"Redis at {TEST_REDIS_URL} does not answer: Redis tests are skipped")
    TEST_REDIS_URL = ""
elif not TEST_REDIS_URL:
    SERVICE_NOTES.append("REDIS_URL is not set: Redis tests are skipped")
# The suite's broker and cache stay in memory; tests that need Redis use TEST_REDIS_URL themselves.
os.environ["REDIS_URL"] = ""
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# Carriers talk only to the local servers tests start; the sandbox is on.
os.environ["SANDBOX_ENABLED"] = "true"
os.environ["CAINIAO_ENABLED"] = "false"
for _name in ("RUSSIAN_POST_LOGIN", "RUSSIAN_POST_BATCH_LOGIN", "SEVENTEEN_TRACK_KEY"):
    os.environ[_name] = ""

from tracker.settings.base import *  # noqa: E402,F403

# Two checkouts testing against one PostgreSQL at once must not share a test database.
_checkout = hashlib.sha1(str(BASE_DIR).encode(), usedforsecurity=False).hexdigest()[:8]  # noqa: F405
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_checkout}"}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
