import pytest
from django.db import connection

from parcels import selectors, services
from parcels.extract import candidates_from_lines
from parcels.models import Folder, Parcel
from tests.conftest import run_at_once
from tests.factories import UserFactory
from tests.parcels.test_codes import s10

pytestmark = pytest.mark.django_db
CN = s10("RR", "12345678", "CN")
DE = s10("CP", "87654321", "DE")


def test_a_parcel_is_added_with_its_recognition(user):
    parcel = services.parcel_add(owner=user, typed_code=f" {CN.lower()} ", comment="кеды")
    assert (parcel.code, parcel.typed_code, parcel.comment) == (CN, f" {CN.lower()} ", "кеды")
    assert (parcel.kind, parcel.code_valid, parcel.origin_country.code, parcel.destination_country.code) == (
        "s10",
        True,
        "CN",
        "RU",
    )
    assert parcel.status == "not_found"


def test_the_same_code_twice_is_refused_with_the_existing_parcel(user):
    first = services.parcel_add(owner=user, typed_code=CN)
    with pytest.raises(services.ParcelRefused, match="already in your list") as refusal:
        services.parcel_add(owner=user, typed_code=CN.lower())
    assert refusal.value.existing == first
    # Another user may track the same code.
    assert services.parcel_add(owner=UserFactory(), typed_code=CN).code == CN


def test_a_broken_code_needs_confirmation_and_stays_marked(user):
    broken = CN[:10] + str((int(CN[10]) + 1) % 10) + CN[11:]
    with pytest.raises(services.ParcelRefused, match="confirmation") as refusal:
        services.parcel_add(owner=user, typed_code=broken)
    assert refusal.value.confirmable
    parcel = services.parcel_add(owner=user, typed_code=broken, confirmed=True)
    assert parcel.code_valid is False


@pytest.mark.parametrize("typed", ["", "<script>alert(1)</script>", "A" * 60])
def test_text_that_cannot_be_a_code_is_refused_even_when_confirmed(user, typed):
    with pytest.raises(services.ParcelRefused, match="cannot be added") as refusal:
        services.parcel_add(owner=user, typed_code=typed, confirmed=True)
    assert not refusal.value.confirmable
    assert not Parcel.objects.exists()


def test_a_folder_of_another_user_is_refused(user):
    foreign = Folder.objects.create(owner=UserFactory(), name="Чужая")
    with pytest.raises(services.ParcelRefused):
        services.parcel_add(owner=user, typed_code=CN, folder=foreign)


def test_bulk_add_adds_each_line_whole_or_refuses_it_whole(user):
    folder = services.folder_create(owner=user, name="AliExpress")
    services.parcel_add(owner=user, typed_code=DE)
    broken = CN[:10] + str((int(CN[10]) + 1) % 10) + CN[11:]
    text = f"{CN} first\n{DE} repeat\n{broken} typo\n8123456789012345 order\n{CN} again in this paste\nLP00123456789012 {'x' * 250}"
    extraction = candidates_from_lines(text, destination="RU")
    result = services.parcels_add_bulk(
        owner=user, candidates=extraction.candidates, confirmed_lines={3}, folder=folder
    )

    assert [(c.line, p.code, p.comment) for c, p in result.added] == [(1, CN, "first"), (3, broken, "typo")]
    assert all(p.folder == folder for _, p in result.added)
    reasons = {c.line: str(r) for c, r in result.refused}
    assert set(reasons) == {2, 4, 5, 6}
    assert "already in your list" in reasons[2] and "already in your list" in reasons[5]
    assert "confirmation" in reasons[4]
    assert "comment is too long" in reasons[6]
    assert not Parcel.objects.filter(code="LP00123456789012").exists()


def test_moving_parcels_touches_only_the_owners_parcels(user):
    other = UserFactory()
    mine = services.parcel_add(owner=user, typed_code=CN)
    theirs = services.parcel_add(owner=other, typed_code=DE)
    folder = services.folder_create(owner=user, name="Дом")
    assert services.parcels_move(owner=user, parcel_ids=[mine.pk, theirs.pk], folder=folder) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.folder == folder and theirs.folder is None


def test_folder_names_are_unique_per_user_ignoring_case(user):
    services.folder_create(owner=user, name="Дом")
    with pytest.raises(services.FolderNameTaken):
        services.folder_create(owner=user, name="  дом ")
    services.folder_create(owner=UserFactory(), name="Дом")
    second = services.folder_create(owner=user, name="Работа")
    with pytest.raises(services.FolderNameTaken):
        services.folder_rename(folder=second, name="ДОМ")


def test_deleting_a_folder_keeps_its_parcels(user):
    folder = services.folder_create(owner=user, name="Дом")
    parcel = services.parcel_add(owner=user, typed_code=CN, folder=folder)
    assert services.folder_delete(folder=folder) == 1
    parcel.refresh_from_db()
    assert parcel.folder is None


def test_archiving_twice_changes_once(user):
    parcel = services.parcel_add(owner=user, typed_code=CN)
    assert services.parcel_archive(parcel=parcel) is True
    archived_at = parcel.archived_at
    assert services.parcel_archive(parcel=parcel) is False
    assert parcel.archived_at == archived_at
    assert services.parcel_unarchive(parcel=parcel) is True
    assert parcel.archived_at is None


def test_csv_export_and_import_round_trip(user):
    folder = services.folder_create(owner=user, name='Подарки, "к НГ"')
    broken = CN[:10] + str((int(CN[10]) + 1) % 10) + CN[11:]
    services.parcel_add(owner=user, typed_code=CN, comment="=cmd|' /C calc'!A0", folder=folder)
    services.parcel_add(owner=user, typed_code=broken, confirmed=True, destination_country="KZ")
    archived = services.parcel_add(owner=user, typed_code=DE, comment="old")
    services.parcel_archive(parcel=archived)
    exported = selectors.parcels_csv(owner=user)
    assert "'=cmd|" in exported  # a spreadsheet shows it as text instead of running it

    other = UserFactory()
    result = services.parcels_import_csv(owner=other, text=exported)
    assert not result.refused
    copies = {p.code: p for p in Parcel.objects.filter(owner=other)}
    assert set(copies) == {CN, broken, DE}
    assert copies[CN].folder.name == 'Подарки, "к НГ"' and copies[CN].comment == "=cmd|' /C calc'!A0"
    assert copies[broken].code_valid is False and copies[broken].destination_country.code == "KZ"
    assert copies[DE].archived

    again = services.parcels_import_csv(owner=other, text=exported)
    assert not again.added and len(again.refused) == 3


def test_csv_import_refuses_bad_rows_with_their_line_and_reads_the_rest(user):
    text = f"code,comment,shipped_on,destination_country\n{CN},ok,2026-11-01,RU\n{DE},bad date,01.11.2026,RU\nLP00123456789012,,,ZZ\n"
    result = services.parcels_import_csv(owner=user, text=text)
    assert [p.code for _, p in result.added] == [CN]
    assert [str(r) for _, r in result.refused] == [
        "Line 3: “01.11.2026” in shipped_on is not a date (YYYY-MM-DD).",
        "Line 4: unknown country “ZZ”.",
    ]
    with pytest.raises(services.CsvUnreadable):
        services.parcels_import_csv(owner=user, text="a,b\n1,2\n")


@pytest.mark.django_db(transaction=True)
def test_two_requests_adding_the_same_code_at_once_make_one_parcel():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers, so there is no race to lose")
    user = UserFactory()
    outcomes = []

    def add():
        try:
            outcomes.append(services.parcel_add(owner=user, typed_code=CN).pk)
        except services.ParcelRefused as refusal:
            outcomes.append(("refused", refusal.existing.pk))

    run_at_once(add)
    assert Parcel.objects.filter(owner=user, code=CN).count() == 1
    parcel_id = Parcel.objects.get(owner=user, code=CN).pk
    assert sorted(map(str, outcomes)).count(str(parcel_id)) == 1
    assert outcomes.count(("refused", parcel_id)) == 3
