import pytest

from tests.urls import project_urls

PUBLIC = {"accounts:language", "notifications:unsubscribe"}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in project_urls() if u[0] not in PUBLIC])
def test_every_app_page_redirects_anonymous_visitors_to_log_in(client, name, path):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302, f"{name} answered {response.status_code} to an anonymous visitor"
        assert response["Location"].startswith("/accounts/login/?next="), name


def test_the_url_walk_sees_the_app_pages():
    names = {name for name, _ in project_urls()}
    assert {"parcels:dashboard", "accounts:account"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_open_without_login(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_health_reports_database_and_worker_heartbeat(client):
    from tracker.tasks import health_heartbeat_record

    body = client.get("/health/").json()
    assert body["database"] == "ok"
    assert body["worker"] == "no heartbeat yet"

    health_heartbeat_record.delay()
    body = client.get("/health/").json()
    assert body["worker"] == "ok"
    assert body["worker_heartbeat_age_seconds"] <= 1


def test_a_stale_heartbeat_is_reported():
    from tracker.health import HEARTBEAT_STALE_AFTER_SECONDS, health_heartbeat_record, health_status

    health_heartbeat_record(now=1000.0)
    assert health_status(now=1000.0 + HEARTBEAT_STALE_AFTER_SECONDS + 1)["worker"] == "stale"
