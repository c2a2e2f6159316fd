import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from parcels import services
from parcels.models import Parcel
from tests.parcels.factories import FolderFactory, ParcelFactory, TrackingEventFactory
from tests.parcels.test_codes import s10

pytestmark = pytest.mark.django_db
CN = s10("RR", "12345678", "CN")
DE = s10("CP", "87654321", "DE")
BROKEN = CN[:10] + str((int(CN[10]) + 1) % 10) + CN[11:]


def test_the_live_recognition_partial(signed_in_client, user):
    page = signed_in_client.get("/parcels/add/identify/", {"code": BROKEN.lower()}).content.decode()
    assert 'data-kind="s10"' in page and 'data-valid="false"' in page
    assert "Wrong check digit" in page and f"should be {CN[10]}" in page
    services.parcel_add(owner=user, typed_code=CN)
    assert (
        "Already in your list"
        in signed_in_client.get("/parcels/add/identify/", {"code": CN}).content.decode()
    )
    assert signed_in_client.get("/parcels/add/identify/", {"code": ""}).content.decode().strip() == ""


def test_adding_a_parcel_opens_its_page(signed_in_client, user):
    folder = FolderFactory(owner=user)
    response = signed_in_client.post(
        "/parcels/add/", {"code": CN, "comment": "кеды", "folder": folder.pk, "destination_country": "RU"}
    )
    parcel = Parcel.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == f"/parcels/{parcel.pk}/"
    assert (parcel.comment, parcel.folder) == ("кеды", folder)


def test_adding_a_duplicate_links_to_the_existing_parcel(signed_in_client, user):
    existing = services.parcel_add(owner=user, typed_code=CN)
    page = signed_in_client.post(
        "/parcels/add/", {"code": CN.lower(), "destination_country": "RU"}
    ).content.decode()
    assert "already in your list" in page and f'href="/parcels/{existing.pk}/"' in page
    assert Parcel.objects.count() == 1


def test_a_broken_code_asks_for_confirmation_and_keeps_what_was_typed(signed_in_client, user):
    page = signed_in_client.post(
        "/parcels/add/", {"code": BROKEN, "comment": "от продавца", "destination_country": "RU"}
    ).content.decode()
    assert 'name="confirm"' in page and "от продавца" in page and BROKEN in page
    assert not Parcel.objects.exists()
    signed_in_client.post(
        "/parcels/add/",
        {"code": BROKEN, "comment": "от продавца", "destination_country": "RU", "confirm": "on"},
    )
    assert Parcel.objects.get().code_valid is False


def test_a_folder_of_another_user_cannot_be_chosen(signed_in_client):
    foreign = FolderFactory()
    page = signed_in_client.post(
        "/parcels/add/", {"code": CN, "folder": foreign.pk, "destination_country": "RU"}
    )
    assert page.status_code == 200 and "folder" in page.context["form"].errors
    assert not Parcel.objects.exists()


def test_bulk_preview_saves_nothing_then_save_reports_each_line(signed_in_client, user):
    services.parcel_add(owner=user, typed_code=DE)
    text = f"{CN} first\n{DE} already there\n{BROKEN} typo\nnot-a-code at all\n"
    preview = signed_in_client.post("/parcels/add/many/", {"text": text, "mode": "auto", "action": "preview"})
    assert not Parcel.objects.filter(code=CN).exists()
    rows = preview.content.decode().count('data-testid="preview-row"')
    assert rows == 4
    saved = signed_in_client.post(
        "/parcels/add/many/", {"text": text, "mode": "auto", "action": "save", "confirm": ["3"]}
    )
    added = [parcel.code for _, parcel in saved.context["result"].added]
    refused = [candidate.line for candidate, _ in saved.context["result"].refused]
    assert added == [CN, BROKEN] and refused == [2, 4]


def test_bulk_input_over_the_limit_is_refused_and_the_text_stays(signed_in_client):
    text = "\n".join(f"DEMO{n}" for n in range(501))
    page = signed_in_client.post("/parcels/add/many/", {"text": text, "mode": "lines", "action": "preview"})
    assert "At most 500 lines at once; this has 501" in page.content.decode()
    assert page.context["form"]["text"].value() == text
    assert not Parcel.objects.exists()


def test_bulk_add_from_an_uploaded_email(signed_in_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    eml = f"Subject: shipped\nContent-Type: text/html; charset=utf-8\n\n<p>Track: <b>{CN}</b></p>".encode()
    preview = signed_in_client.post(
        "/parcels/add/many/",
        {"file": SimpleUploadedFile("order.eml", eml, "message/rfc822"), "mode": "auto", "action": "preview"},
    )
    assert preview.context["extraction"].candidates[0].recognition.code == CN
    saved_text = preview.context["form"]["text"].value()
    signed_in_client.post("/parcels/add/many/", {"text": saved_text, "mode": "lines", "action": "save"})
    assert Parcel.objects.get(owner=user).code == CN


def test_dashboard_filters_search_and_archive_view(signed_in_client, user):
    home = FolderFactory(owner=user, name="Дом")
    a = ParcelFactory(owner=user, comment="кеды", folder=home, status="in_transit")
    b = ParcelFactory(owner=user, comment="книга", status="delivered")
    c = ParcelFactory(owner=user, comment="архивная")
    services.parcel_archive(parcel=c)

    def codes(**params):
        response = signed_in_client.get("/parcels/", params)
        return {p.code for p in response.context["page_obj"].object_list}

    assert codes() == {a.code, b.code}
    assert codes(folder=home.pk) == {a.code}
    assert codes(folder="none") == {b.code}
    assert codes(status="delivered") == {b.code}
    assert codes(q="КЕДЫ") == {a.code}
    assert codes(q=a.code.lower()) == {a.code}
    assert codes(archived="1") == {c.code}
    assert codes(status="nonsense") == {a.code, b.code}


def test_dashboard_pages_twenty_five_at_a_time(signed_in_client, user):
    ParcelFactory.create_batch(120, owner=user)
    first = signed_in_client.get("/parcels/")
    assert len(first.context["page_obj"].object_list) == 25
    assert first.context["page_obj"].paginator.num_pages == 5


def test_the_dashboard_query_count_does_not_grow_with_parcels(client):
    def queries_for(parcel_count):
        owner = ParcelFactory.build().owner
        owner.save()
        folders = FolderFactory.create_batch(3, owner=owner)
        for n in range(parcel_count):
            parcel = ParcelFactory(owner=owner, folder=folders[n % 3] if n % 4 else None)
            parcel.last_event = TrackingEventFactory(parcel=parcel)
            parcel.save(update_fields=["last_event"])
        client.force_login(owner)
        reset_queries()  # the capture counts by position in the log, which each request empties
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/parcels/").status_code == 200
        return len(captured)

    small, large = queries_for(10), queries_for(1000)
    assert small > 0 and small == large


def test_moving_many_parcels_at_once(signed_in_client, user):
    folder = FolderFactory(owner=user)
    parcels = ParcelFactory.create_batch(3, owner=user)
    response = signed_in_client.post(
        "/parcels/move/",
        {"parcels": [parcels[0].pk, parcels[2].pk], "folder": folder.pk, "next": "/parcels/?q=x"},
    )
    assert response["Location"] == "/parcels/?q=x"
    assert set(Parcel.objects.filter(folder=folder)) == {parcels[0], parcels[2]}
    signed_in_client.post("/parcels/move/", {"parcels": [parcels[0].pk], "folder": ""})
    assert Parcel.objects.get(pk=parcels[0].pk).folder is None


def test_move_never_redirects_off_site(signed_in_client, user):
    parcel = ParcelFactory(owner=user)
    response = signed_in_client.post(
        "/parcels/move/", {"parcels": [parcel.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/parcels/"


def test_parcel_page_edit_archive_and_delete(signed_in_client, user):
    parcel = services.parcel_add(owner=user, typed_code=CN)
    TrackingEventFactory(parcel=parcel, description="Прибыло в место вручения")
    page = signed_in_client.get(f"/parcels/{parcel.pk}/").content.decode()
    assert "Прибыло в место вручения" in page
    for site in ("pochta.ru", "cainiao.com", "17track.net", "ems.com.cn"):
        assert site in page
    signed_in_client.post(
        f"/parcels/{parcel.pk}/",
        {"comment": "новый", "folder": "", "destination_country": "KZ", "protection_ends_on": "2026-12-24"},
    )
    parcel.refresh_from_db()
    assert (parcel.comment, parcel.destination_country.code, str(parcel.protection_ends_on)) == (
        "новый",
        "KZ",
        "2026-12-24",
    )
    signed_in_client.post(f"/parcels/{parcel.pk}/archive/")
    parcel.refresh_from_db()
    assert parcel.archived
    signed_in_client.post(f"/parcels/{parcel.pk}/unarchive/")
    parcel.refresh_from_db()
    assert not parcel.archived
    assert "Delete this parcel?" in signed_in_client.get(f"/parcels/{parcel.pk}/delete/").content.decode()
    assert Parcel.objects.filter(pk=parcel.pk).exists()
    signed_in_client.post(f"/parcels/{parcel.pk}/delete/")
    assert not Parcel.objects.filter(pk=parcel.pk).exists()


def test_folders_create_rename_delete(signed_in_client, user):
    signed_in_client.post("/parcels/folders/", {"name": "Дом"})
    folder = user.folders.get()
    page = signed_in_client.post("/parcels/folders/", {"name": "дом"}).content.decode()
    assert "already have a folder with this name" in page
    signed_in_client.post(f"/parcels/folders/{folder.pk}/rename/", {"name": "Дача"})
    folder.refresh_from_db()
    assert folder.name == "Дача"
    parcel = ParcelFactory(owner=user, folder=folder)
    signed_in_client.post(f"/parcels/folders/{folder.pk}/delete/")
    parcel.refresh_from_db()
    assert parcel.folder is None and not user.folders.exists()


def test_csv_export_and_import_through_the_pages(signed_in_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.parcel_add(owner=user, typed_code=CN, comment="кеды")
    exported = signed_in_client.get("/parcels/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert f"{CN},кеды" in exported.content.decode()
    Parcel.objects.all().delete()
    result = signed_in_client.post(
        "/parcels/import/", {"file": SimpleUploadedFile("parcels.csv", exported.content, "text/csv")}
    )
    assert [p.code for _, p in result.context["result"].added] == [CN]
    bad = signed_in_client.post(
        "/parcels/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n", "text/csv")}
    )
    assert "no “code” column" in bad.content.decode()


def test_the_add_form_names_countries_in_the_users_language(signed_in_client, user):
    user.language = "ru"
    user.save()
    page = signed_in_client.get("/parcels/add/").content.decode()
    assert '<option value="RU" selected>Россия</option>' in page


def test_the_parcel_page_shows_until_when_a_search_can_be_requested(signed_in_client, user):
    from datetime import UTC, datetime

    parcel = services.parcel_add(owner=user, typed_code="EA473124829CN")
    TrackingEventFactory(parcel=parcel, happened_at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    page = signed_in_client.get(f"/parcels/{parcel.pk}/").content.decode()
    assert "search for it until July 2, 2026" in page  # EMS: four months
