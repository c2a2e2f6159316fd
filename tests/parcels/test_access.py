"""No user can read, change or delete another user's parcel or folder through any URL."""

import pytest
from django.urls import get_resolver

from notifications.models import Channel
from parcels.models import Folder, Parcel
from tests.factories import UserFactory
from tests.parcels.factories import FolderFactory, ParcelFactory, TrackingEventFactory
from tests.urls import _walk

pytestmark = pytest.mark.django_db


def _routes_with_ids():
    for namespace, name, route in _walk(get_resolver().url_patterns):
        if "<int:pk>" in route:
            yield f"{namespace}:{name}", route


@pytest.fixture
def victim_objects():
    victim = UserFactory()
    folder = FolderFactory(owner=victim, name="Секретная папка")
    parcel = ParcelFactory(owner=victim, folder=folder, comment="секретный комментарий")
    TrackingEventFactory(parcel=parcel, description="секретное событие")
    Channel.objects.create(user=victim, label="секретный канал", url="json://127.0.0.1:9/x")
    return victim, folder, parcel


def _snapshot():
    return (
        list(
            Parcel.objects.values_list(
                "id", "owner_id", "comment", "folder_id", "archived_at", "destination_country"
            )
        ),
        list(Folder.objects.values_list("id", "owner_id", "name")),
        list(Channel.objects.values_list("id", "user_id", "label", "enabled")),
        list(Parcel.objects.values_list("id", "notifications_muted")),
    )


@pytest.mark.parametrize(("name", "route"), list(_routes_with_ids()))
def test_another_users_ids_answer_404_and_change_nothing(client, victim_objects, name, route):
    _victim, folder, parcel = victim_objects
    client.force_login(UserFactory())
    owned = {"folders/": folder.pk, "channels/": Channel.objects.get().pk}
    target = next((pk for prefix, pk in owned.items() if f"/{prefix}" in f"/{route}"), parcel.pk)
    path = "/" + route.replace("<int:pk>", str(target))
    before = _snapshot()
    payload = {"name": "взлом", "comment": "взлом", "folder": "", "destination_country": "US", "muted": "1"}
    for response in (client.get(path), client.post(path, payload)):
        assert response.status_code in (404, 405), f"{name}: {response.status_code}"
        body = response.content.decode()
        assert "секрет" not in body.lower()
    assert _snapshot() == before


def test_every_id_route_is_covered():
    names = {name for name, _ in _routes_with_ids()}
    assert names == {
        *(f"parcels:{name}" for name in ("detail", "archive", "unarchive", "delete", "refresh")),
        "parcels:folder_rename",
        "parcels:folder_delete",
        "notifications:channel_test",
        "notifications:channel_delete",
        "notifications:parcel_mute",
    }


def test_lists_searches_and_exports_show_only_ones_own(client, victim_objects):
    _victim, folder, parcel = victim_objects
    client.force_login(UserFactory())
    for path in (
        "/parcels/",
        f"/parcels/?folder={folder.pk}",
        f"/parcels/?q={parcel.code}",
        "/parcels/?archived=1",
        "/parcels/folders/",
        "/parcels/export.csv",
    ):
        body = client.get(path).content.decode()
        assert "секрет" not in body.lower(), path
        # The page may echo the attacker's own search term, never the victim's row or link.
        assert f'data-code="{parcel.code}"' not in body and f"/parcels/{parcel.pk}/" not in body, path
        assert f"{parcel.code}," not in body, path  # the CSV export
    # The live recognition echoes the typed code, but must not reveal that someone tracks it.
    assert (
        "Already in your list"
        not in client.get(f"/parcels/add/identify/?code={parcel.code}").content.decode()
    )


def test_moving_or_filing_into_anothers_folder_changes_nothing(client, victim_objects):
    _victim, folder, parcel = victim_objects
    attacker = UserFactory()
    own = ParcelFactory(owner=attacker)
    client.force_login(attacker)
    before = _snapshot()
    client.post("/parcels/move/", {"parcels": [parcel.pk], "folder": ""})
    client.post("/parcels/move/", {"parcels": [own.pk], "folder": folder.pk})
    client.post("/parcels/add/", {"code": "DEMO123", "folder": folder.pk, "destination_country": "RU"})
    client.post(
        "/parcels/add/many/", {"text": "DEMO124", "mode": "lines", "folder": folder.pk, "action": "save"}
    )
    assert _snapshot() == before
