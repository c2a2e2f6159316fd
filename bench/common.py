"""Shared set-up of the benchmarks: a throwaway database and var folder, Django configured.

PostgreSQL is used when DATABASE_URL points at a server that answers (a database of the
benchmark's own is created there and dropped after); otherwise SQLite in a temporary folder,
and the output says which.
"""

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project, and tests.fake_carrier


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return True
    except OSError:
        return False


def setup(name: str, *, want_postgres: bool = True, extra_env: dict | None = None) -> dict:
    """Configure Django for benchmark `name`; returns the environment (for worker subprocesses)."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    env = {
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "tracker.settings.dev",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "CAINIAO_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        **(extra_env or {}),
    }
    database_url = os.environ.get("DATABASE_URL", "")
    if want_postgres and database_url.startswith("postgres") and _answers(database_url):
        import psycopg

        bench_db = f"bench_{name}"
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
            connection.execute(f'CREATE DATABASE "{bench_db}"')
        parts = urlsplit(database_url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_db}"))
        env["BENCH_DATABASE"] = f"PostgreSQL ({bench_db})"
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'db.sqlite3'}"
        env["BENCH_DATABASE"] = "SQLite (PostgreSQL not available)"
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(f"{name}: database {env['BENCH_DATABASE']}, var {var_dir}", flush=True)
    return env


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def result(**figures) -> None:
    print("RESULT " + " ".join(f"{key}={value}" for key, value in figures.items()), flush=True)
