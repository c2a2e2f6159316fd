"""A real Celery worker on Redis, against this test run's own PostgreSQL database."""

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.db import connection

from tests.fake_carrier import FakeCarrier

ROOT = Path(__file__).resolve().parents[2]
# Redis database of these tests only: flushed before each.
REDIS_DB = 13
SUITE_ONLY = {
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "SANDBOX_ENABLED",
    "CAINIAO_ENABLED",
}


@pytest.fixture
def fault_redis(redis_url):
    url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{REDIS_DB}"))
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def fake_carrier():
    carrier = FakeCarrier(latency=0.1, events=2).start()
    yield carrier
    carrier.stop()


class Worker:
    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self, concurrency: int = 2) -> "Worker":
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "--app",
                "tracker",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """What a crash or an OOM kill does: no warm shutdown, nothing acknowledged."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def real_worker(transactional_db, fault_redis, fake_carrier, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the real worker shares the test database: needs PostgreSQL (DATABASE_URL)")
    database = connection.settings_dict
    database_url = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    env = {
        # The suite's own settings (a memory broker, a local-memory cache) must not reach the worker.
        **{
            k: v
            for k, v in os.environ.items()
            if k not in SUITE_ONLY and not k.startswith(("PYTEST", "DJANGO_ALLOW"))
        },
        "DJANGO_SETTINGS_MODULE": "tracker.settings.dev",
        "DATABASE_URL": database_url,
        "REDIS_URL": fault_redis,
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "VAR_DIR": str(tmp_path / "var"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "SANDBOX_ENABLED": "false",
        "CAINIAO_ENABLED": "false",
        "SEVENTEEN_TRACK_KEY": "fault-key",
        "SEVENTEEN_TRACK_URL": fake_carrier.url,
        "SEVENTEEN_TRACK_TIMEOUT": "2",
        "NOTIFICATION_RETRY_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    worker = Worker(env, tmp_path / "worker.log")
    worker.mail_dir = tmp_path / "mail"
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", fault_redis)
    worker.client = Celery("fault-client")
    worker.client.conf.update(broker_url=fault_redis, task_serializer="json", accept_content=["json"])
    yield worker
    worker.stop()


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def mails_by_recipient(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in folder.glob("*.eml"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                counts[line[4:].strip()] = counts.get(line[4:].strip(), 0) + 1
                break
    return counts
