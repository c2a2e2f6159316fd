"""The production shape: deploy checks, secrets from the environment, the compose file, the image."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _production_env(**extra):
    # Only what a production host would have: none of the suite's services or browser-harness flags.
    harness = {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in harness}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tracker.example.org",
        SITE_URL="https://tracker.example.org",
    )
    env.update(extra)
    return env


def test_production_settings_pass_the_deploy_check_without_a_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_sends_security_headers(client, settings):
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
    settings.SECURE_HSTS_SECONDS = 3600
    settings.X_FRAME_OPTIONS = "DENY"
    response = client.get("/", secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=3600")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_production_shape(compose):
    services = compose["services"]
    assert {"db", "redis", "mailpit", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    app_images = {services[name]["image"] for name in ("web", "worker", "beat")}
    assert app_images == {"parcel-tracker:latest"}, "web, worker and beat must share one image"
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert services["worker"]["command"][:4] == ["celery", "--app", "tracker", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "--app", "tracker", "beat"]
    for name, service in services.items():
        if name != "migrate":
            assert "healthcheck" in service, f"{name} has no healthcheck"


def test_compose_keeps_its_data_in_named_volumes(compose):
    named = set(compose["volumes"])
    for name in ("db", "redis", "beat"):
        for volume in compose["services"][name]["volumes"]:
            assert volume.split(":")[0] in named, f"{name} mounts {volume}, not a named volume"


def test_compose_wires_the_app_to_its_services(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
    assert environment["DJANGO_SETTINGS_MODULE"] == "tracker.settings.production"


def test_the_image_installs_from_requirements_like_make_run():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "pip install --quiet -r requirements.txt" in makefile


@pytest.mark.django_db
def test_the_health_command_fails_without_a_heartbeat_when_asked_for_one():
    from django.core.management import CommandError, call_command

    from tracker.health import health_heartbeat_record

    call_command("health")  # database answers: fine without a heartbeat
    with pytest.raises(CommandError, match="no heartbeat yet"):
        call_command("health", "--heartbeat")
    health_heartbeat_record()
    call_command("health", "--heartbeat")
