"""Hostile text in every field: stored as typed, shown escaped, never an error page."""

import pytest
from django.test import Client

from parcels import services
from parcels.models import Folder, Parcel
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NASTY = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "\u202eevil\u202c right-to-left",
    "tab\tnew\nline\x07bell",
    "📦🚚 посылка 🇨🇳",
    "x" * 200,
    "{{ 7*7 }} {% now 'Y' %}",
]


@pytest.mark.parametrize("text", NASTY)
def test_comments_and_folder_names_are_stored_as_typed_and_shown_escaped(signed_in_client, user, text):
    folder = services.folder_create(owner=user, name=text[:100])
    parcel = services.parcel_add(owner=user, typed_code="DEMO123", comment=text, folder=folder)
    assert Parcel.objects.get(pk=parcel.pk).comment == text
    assert Folder.objects.get(pk=folder.pk).name == text[:100]
    for path in ("/parcels/", f"/parcels/{parcel.pk}/", "/parcels/folders/", f"/parcels/?q={text[:50]}"):
        response = signed_in_client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        if "{{" in text:
            assert "{{ 7*7 }}" in body  # shown literally, never rendered as a template


@pytest.mark.parametrize(
    "text", [*NASTY, "\x00", "RR473124829CN\x00", "%00", "../../etc/passwd", "A" * 10_000]
)
def test_hostile_track_codes_get_an_answer_not_an_error(signed_in_client, text):
    response = signed_in_client.post("/parcels/add/", {"code": text[:200], "destination_country": "RU"})
    assert response.status_code in (200, 302)
    live = signed_in_client.get("/parcels/add/identify/", {"code": text})
    assert live.status_code == 200
    assert "<script>alert" not in live.content.decode()


def test_a_track_code_with_html_is_refused_but_what_was_typed_stays_in_the_form(signed_in_client):
    response = signed_in_client.post(
        "/parcels/add/", {"code": "<b>RR473124829CN</b>", "destination_country": "RU"}
    )
    page = response.content.decode()
    assert "cannot be added" in page and "&lt;b&gt;RR473124829CN&lt;/b&gt;" in page
    assert not Parcel.objects.exists()


def test_bulk_input_at_and_over_its_limits(signed_in_client):
    at_limit = "\n".join(f"DEMO{n}" for n in range(500))
    preview = signed_in_client.post(
        "/parcels/add/many/", {"text": at_limit, "mode": "lines", "action": "preview"}
    )
    assert preview.content.decode().count('data-testid="preview-row"') == 500
    over = signed_in_client.post(
        "/parcels/add/many/", {"text": "x" * 200_001, "mode": "auto", "action": "preview"}
    )
    assert "The text is too long" in over.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/parcels/add/",
        "/parcels/add/many/",
        "/parcels/folders/",
        "/parcels/move/",
        "/account/",
        "/notifications/settings/",
    ],
)
def test_forms_without_a_csrf_token_are_refused(user, path):
    client = Client(enforce_csrf_checks=True)
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    response = client.post(path, {"code": "DEMO1", "name": "x", "text": "DEMO1"})
    assert response.status_code == 403
    assert not Parcel.objects.exists() and not Folder.objects.exists()


def test_login_without_a_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
