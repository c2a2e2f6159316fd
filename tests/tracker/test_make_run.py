"""`make run` as a user starts it: web, worker and beat on the embedded default, stopped by Ctrl-C."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv/.installed").exists(),
    reason="make run needs the project's .venv (make test creates it)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local URL we built)
        return response.status, response.read().decode()


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_serves_the_app_with_a_working_worker_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["VAR_DIR"] = str(tmp_path / "var")
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        status, landing = _wait_for(lambda: _get(base + "/"), 60, "the landing page")
        assert status == 200 and "/accounts/signup/" in landing
        assert _get(base + "/accounts/signup/")[0] == 200

        # A task sent to the embedded broker is run by the worker that make run started.
        subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                "-c",
                "import django; django.setup(); "
                "from tracker.tasks import health_heartbeat_record; health_heartbeat_record.delay()",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings.dev"},
            check=True,
            timeout=30,
        )
        _wait_for(lambda: json.loads(_get(base + "/health/")[1])["worker"] == "ok", 30, "the worker")
        assert (tmp_path / "var" / "db.sqlite3").exists()
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            process.wait(timeout=20)
            _wait_for(lambda: not _group_alive(process.pid), 20, "every process to stop")
        finally:
            if _group_alive(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
            log.close()
    output = (tmp_path / "run.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output
    assert "var/mail" in output
