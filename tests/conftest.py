import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from tests.factories import UserFactory

# Every test in these folders carries the marker, so `-m "not faults"` and the like just work.
FOLDER_MARKERS = {"tests/browser/": "browser", "tests/faults/": "faults"}


def pytest_collection_modifyitems(items):
    for item in items:
        for folder, marker in FOLDER_MARKERS.items():
            if folder in str(item.fspath):
                item.add_marker(getattr(pytest.mark, marker))


def pytest_report_header(config):
    notes = getattr(settings, "SERVICE_NOTES", [])
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = settings.TEST_REDIS_URL or "not available"
    return [f"database: {database}; redis: {redis}", *(f"NOTE: {note}" for note in notes)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and heartbeats live in the cache; no test may see another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request leaves its language active in the thread; each test starts from the default."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


def run_at_once(action, *, workers: int = 4) -> None:
    """Run `action` in several threads released together, each with its own DB connection."""
    barrier = threading.Barrier(workers)

    def worker():
        barrier.wait()
        try:
            action()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def redis_url():
    if not settings.TEST_REDIS_URL:
        pytest.skip("Redis does not answer (REDIS_URL unset or unreachable): this test needs it")
    return settings.TEST_REDIS_URL
