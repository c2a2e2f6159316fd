"""Writes to parcels and folders. Every function is keyword-only and acts for one owner."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User
from parcels import tasks
from parcels.codes import Problem, Recognition, identify
from parcels.extract import Candidate
from parcels.models import Folder, Parcel, Tracking
from parcels.signals import parcel_changed
from parcels.tracking import trackings_resume, trackings_start, trackings_stop

# Problems that mean the text cannot be a code at all; the others can be confirmed by the user.
UNADDABLE_PROBLEMS = {Problem.EMPTY, Problem.TOO_LONG, Problem.BAD_CHARACTERS}
COMMENT_MAX_LENGTH = Parcel._meta.get_field("comment").max_length
TYPED_CODE_MAX_LENGTH = Parcel._meta.get_field("typed_code").max_length


class ParcelRefused(Exception):
    """A parcel was not added; `str()` is the reason for the user."""

    def __init__(
        self,
        message: str,
        *,
        recognition: Recognition | None = None,
        existing: Parcel | None = None,
        confirmable: bool = False,
    ):
        super().__init__(message)
        self.recognition = recognition
        self.existing = existing
        self.confirmable = confirmable  # adding it again with confirmed=True would succeed


class FolderNameTaken(Exception):
    pass


def _check_addable(recognition: Recognition, *, confirmed: bool) -> None:
    if recognition.valid:
        return
    problems = ", ".join(recognition.problem_labels).lower()
    if UNADDABLE_PROBLEMS.intersection(recognition.problems):
        raise ParcelRefused(
            _("This cannot be added: %(problem)s.") % {"problem": problems}, recognition=recognition
        )
    if not confirmed:
        raise ParcelRefused(
            _("Not added without your confirmation: %(problem)s.") % {"problem": problems},
            recognition=recognition,
            confirmable=True,
        )


def parcel_add(
    *,
    owner: User,
    typed_code: str,
    comment: str = "",
    folder: Folder | None = None,
    destination_country: str = "",
    shipped_on: date | None = None,
    protection_ends_on: date | None = None,
    confirmed: bool = False,
) -> Parcel:
    """Add one parcel, or raise ParcelRefused with the reason (and the existing parcel for a repeat)."""
    destination = destination_country or owner.destination_country.code
    recognition = identify(typed_code, destination=destination)
    _check_addable(recognition, confirmed=confirmed)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ParcelRefused(
            _("The comment is too long: at most %(limit)d characters.") % {"limit": COMMENT_MAX_LENGTH},
            recognition=recognition,
        )
    if folder is not None and folder.owner_id != owner.pk:
        raise ParcelRefused(_("That folder does not exist."), recognition=recognition)
    existing = Parcel.objects.filter(owner=owner, code=recognition.code).first()
    if existing is None:
        try:
            with transaction.atomic():
                parcel = Parcel.objects.create(
                    owner=owner,
                    code=recognition.code,
                    typed_code=typed_code[:TYPED_CODE_MAX_LENGTH],
                    comment=comment,
                    folder=folder,
                    kind=recognition.kind,
                    code_valid=recognition.valid,
                    origin_country=recognition.country or "",
                    destination_country=destination,
                    shipped_on=shipped_on,
                    protection_ends_on=protection_ends_on,
                )
                trackings_start(parcel=parcel)
                transaction.on_commit(lambda: parcel_changed.send(sender=Parcel, parcel=parcel))
                return parcel
        except IntegrityError:  # added by a concurrent request between the check and the insert
            existing = Parcel.objects.get(owner=owner, code=recognition.code)
    raise ParcelRefused(
        _("%(code)s is already in your list.") % {"code": recognition.code},
        recognition=recognition,
        existing=existing,
    )


@dataclass
class BulkResult:
    added: list[tuple[Candidate, Parcel]] = field(default_factory=list)
    refused: list[tuple[Candidate, ParcelRefused]] = field(default_factory=list)


def parcels_add_bulk(
    *, owner: User, candidates: Iterable[Candidate], confirmed_lines: set[int], folder: Folder | None = None
) -> BulkResult:
    """Add each candidate whole (code, comment, folder) or refuse it whole with its reason."""
    result = BulkResult()
    for candidate in candidates:
        try:
            parcel = parcel_add(
                owner=owner,
                typed_code=candidate.typed,
                comment=candidate.comment,
                folder=folder,
                confirmed=candidate.line in confirmed_lines,
            )
        except ParcelRefused as refusal:
            result.refused.append((candidate, refusal))
        else:
            result.added.append((candidate, parcel))
    return result


def parcel_update(
    *,
    parcel: Parcel,
    comment: str,
    folder: Folder | None,
    destination_country: str,
    shipped_on: date | None,
    protection_ends_on: date | None,
) -> Parcel:
    if folder is not None and folder.owner_id != parcel.owner_id:
        raise ParcelRefused(_("That folder does not exist."))
    parcel.comment = comment
    parcel.folder = folder
    parcel.destination_country = destination_country
    parcel.shipped_on = shipped_on
    parcel.protection_ends_on = protection_ends_on
    parcel.save(
        update_fields=[
            "comment",
            "folder",
            "destination_country",
            "shipped_on",
            "protection_ends_on",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: parcel_changed.send(sender=Parcel, parcel=parcel))
    return parcel


def parcel_archive(*, parcel: Parcel) -> bool:
    """Archive once; returns False when it already was (a repeated click changes nothing)."""
    now = timezone.now()
    changed = Parcel.objects.filter(pk=parcel.pk, archived_at__isnull=True).update(
        archived_at=now, updated_at=now
    )
    parcel.refresh_from_db(fields=["archived_at", "updated_at"])
    if changed:
        trackings_stop(parcel=parcel, now=now)
        transaction.on_commit(lambda: parcel_changed.send(sender=Parcel, parcel=parcel))
    return changed == 1


def parcel_unarchive(*, parcel: Parcel) -> bool:
    changed = Parcel.objects.filter(pk=parcel.pk, archived_at__isnull=False).update(
        archived_at=None, updated_at=timezone.now()
    )
    parcel.refresh_from_db(fields=["archived_at", "updated_at"])
    if changed:
        trackings_resume(parcel=parcel)
        transaction.on_commit(lambda: parcel_changed.send(sender=Parcel, parcel=parcel))
    return changed == 1


def parcel_delete(*, parcel: Parcel) -> None:
    registered = list(
        Tracking.objects.filter(parcel=parcel, registered_at__isnull=False).values_list("carrier", flat=True)
    )
    code = parcel.code
    parcel.delete()
    # Carriers that registered the code are told to stop, once the deletion is committed.
    for carrier in registered:
        transaction.on_commit(lambda carrier=carrier: tasks.stop_codes.delay(carrier, [code]))


def parcels_move(*, owner: User, parcel_ids: Iterable[int], folder: Folder | None) -> int:
    """Move the owner's parcels among `parcel_ids` into `folder` (None: no folder); returns how many."""
    if folder is not None and folder.owner_id != owner.pk:
        raise ParcelRefused(_("That folder does not exist."))
    return Parcel.objects.filter(owner=owner, pk__in=list(parcel_ids)).update(
        folder=folder, updated_at=timezone.now()
    )


def _check_folder_name_free(*, owner_id: int, name: str, exclude_id: int | None = None) -> None:
    # SQLite's lower() folds only ASCII, so Cyrillic names are compared here too; the database
    # constraint still settles a race on PostgreSQL.
    taken = Folder.objects.filter(owner_id=owner_id).exclude(pk=exclude_id).values_list("name", flat=True)
    if name.casefold() in {existing.casefold() for existing in taken}:
        raise FolderNameTaken(name)


def folder_create(*, owner: User, name: str) -> Folder:
    name = name.strip()
    _check_folder_name_free(owner_id=owner.pk, name=name)
    position = Folder.objects.filter(owner=owner).count()
    try:
        with transaction.atomic():
            return Folder.objects.create(owner=owner, name=name, position=position)
    except IntegrityError:
        raise FolderNameTaken(name) from None


def folder_rename(*, folder: Folder, name: str) -> Folder:
    _check_folder_name_free(owner_id=folder.owner_id, name=name.strip(), exclude_id=folder.pk)
    folder.name = name.strip()
    try:
        with transaction.atomic():
            folder.save(update_fields=["name"])
    except IntegrityError:
        raise FolderNameTaken(folder.name) from None
    return folder


def folder_delete(*, folder: Folder) -> int:
    """Delete the folder; its parcels stay, with no folder. Returns how many parcels it held."""
    with transaction.atomic():
        moved = Parcel.objects.filter(folder=folder).update(folder=None, updated_at=timezone.now())
        folder.delete()
    return moved


CSV_COLUMNS = [
    "code",
    "comment",
    "folder",
    "destination_country",
    "shipped_on",
    "protection_ends_on",
    "archived",
]


# A spreadsheet runs a cell that starts with one of these as a formula; the export prefixes an
# apostrophe (spreadsheets hide it) and the import takes it off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_escape(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_cell_unescape(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


class CsvUnreadable(ValueError):
    pass


def _csv_date(value: str, *, line: int, column: str) -> date | None:
    if not value.strip():
        return None
    parsed = parse_date(value.strip())
    if parsed is None:
        raise ParcelRefused(
            _("Line %(line)d: “%(value)s” in %(column)s is not a date (YYYY-MM-DD).")
            % {"line": line, "value": value, "column": column}
        )
    return parsed


def parcels_import_csv(*, owner: User, text: str) -> BulkResult:
    """Import rows shaped like the export; each row is added whole or refused with its reason.

    Codes are taken as confirmed: an exported list holds only codes the user already accepted.
    """
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames:
        raise CsvUnreadable(
            _("The file has no “code” column: export your parcels to see the expected columns.")
        )
    folders = {folder.name.lower(): folder for folder in Folder.objects.filter(owner=owner)}
    result = BulkResult()
    for line, row in enumerate(reader, start=2):
        row = {key: csv_cell_unescape(value or "") for key, value in row.items() if key}
        candidate = Candidate(line, row["code"], row.get("comment", ""), identify(row["code"]))
        try:
            destination = row.get("destination_country", "").strip().upper()
            if destination and destination not in countries:
                raise ParcelRefused(
                    _("Line %(line)d: unknown country “%(value)s”.") % {"line": line, "value": destination}
                )
            shipped_on = _csv_date(row.get("shipped_on", ""), line=line, column="shipped_on")
            protection_ends_on = _csv_date(
                row.get("protection_ends_on", ""), line=line, column="protection_ends_on"
            )
            folder_name = row.get("folder", "").strip()
            with transaction.atomic():
                folder = None
                if folder_name:
                    folder = folders.get(folder_name.lower()) or folder_create(owner=owner, name=folder_name)
                    folders[folder_name.lower()] = folder
                parcel = parcel_add(
                    owner=owner,
                    typed_code=row["code"],
                    comment=row.get("comment", ""),
                    folder=folder,
                    destination_country=destination,
                    shipped_on=shipped_on,
                    protection_ends_on=protection_ends_on,
                    confirmed=True,
                )
                if row.get("archived", "").strip().lower() in {"1", "true", "yes"}:
                    parcel_archive(parcel=parcel)
        except ParcelRefused as refusal:
            result.refused.append((candidate, refusal))
        else:
            result.added.append((candidate, parcel))
    return result
