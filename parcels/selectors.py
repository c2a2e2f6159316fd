"""Reads of parcels and folders, always scoped to one owner."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from parcels.carriers import carriers_all
from parcels.codes import normalize
from parcels.deadlines import search_request_deadline
from parcels.models import CarrierState, Folder, Parcel, Tracking, TrackingEvent
from parcels.services import CSV_COLUMNS, csv_cell_escape
from parcels.status import Status

NO_FOLDER = "none"


def parcels_of(*, owner: User) -> QuerySet[Parcel]:
    return Parcel.objects.filter(owner=owner)


def folders_of(*, owner: User) -> QuerySet[Folder]:
    return Folder.objects.filter(owner=owner)


def parcels_list(
    *, owner: User, archived: bool = False, status: str = "", folder: str = "", query: str = ""
) -> QuerySet[Parcel]:
    """The dashboard's parcels, grouped by folder (no folder first), newest first within a folder."""
    parcels = (
        parcels_of(owner=owner)
        .filter(archived_at__isnull=not archived)
        # The last events of the page only, in one more query: joining them here would make the
        # database join every event of the user before it can take one page.
        .select_related("folder")
        .prefetch_related("last_event")
        # Matches the parcel_dashboard_order index: the page is read from it, no sort of all rows.
        .order_by(Coalesce("folder_id", 0), "-created_at", "-id")
    )
    if status:
        parcels = parcels.filter(status=status)
    if folder == NO_FOLDER:
        parcels = parcels.filter(folder__isnull=True)
    elif folder.isdigit():
        parcels = parcels.filter(folder_id=int(folder))
    # PostgreSQL text cannot hold NUL; a query string can. It can match nothing anyway.
    if query := query.replace("\x00", "").strip():
        as_code = normalize(query).code
        parcels = parcels.filter(Q(search_text__contains=query.casefold()) | Q(code__contains=as_code))
    return parcels


def folders_with_counts(*, owner: User) -> QuerySet[Folder]:
    return folders_of(owner=owner).annotate(
        active_count=Count("parcels", filter=Q(parcels__archived_at__isnull=True))
    )


def parcel_counts(*, owner: User) -> dict[str, int]:
    return parcels_of(owner=owner).aggregate(
        active=Count("id", filter=Q(archived_at__isnull=True)),
        archived=Count("id", filter=Q(archived_at__isnull=False)),
        unfiled=Count("id", filter=Q(archived_at__isnull=True, folder__isnull=True)),
    )


def parcel_timeline(*, parcel: Parcel) -> QuerySet[TrackingEvent]:
    return parcel.events.order_by("-happened_at", "-id")


def parcels_csv(*, owner: User) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*CSV_COLUMNS, "status", "added"])
    for parcel in parcels_of(owner=owner).select_related("folder").order_by("created_at", "id"):
        writer.writerow(
            [
                parcel.code,
                csv_cell_escape(parcel.comment),
                csv_cell_escape(parcel.folder.name) if parcel.folder else "",
                parcel.destination_country.code or "",
                parcel.shipped_on.isoformat() if parcel.shipped_on else "",
                parcel.protection_ends_on.isoformat() if parcel.protection_ends_on else "",
                "yes" if parcel.archived else "",
                parcel.status,
                parcel.created_at.date().isoformat(),
            ]
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class CarrierPanel:
    """One line of the parcel page's carrier list."""

    name: str
    enabled: bool
    missing: list[str]
    tracking: Tracking | None
    paused_until: datetime | None
    last_error: str


def parcel_carriers(*, parcel: Parcel) -> list[CarrierPanel]:
    """Every carrier that could follow this code: following it, or why not."""
    recognition = parcel.recognition
    trackings = {tracking.carrier: tracking for tracking in parcel.trackings.all()}
    states = {state.carrier: state for state in CarrierState.objects.all()}
    panels = []
    for carrier in carriers_all():
        if not carrier.serves(recognition) and carrier.slug not in trackings:
            continue
        state = states.get(carrier.slug)
        paused = (
            state.paused_until
            if state and state.paused_until and state.paused_until > timezone.now()
            else None
        )
        panels.append(
            CarrierPanel(
                name=carrier.name,
                enabled=carrier.enabled,
                missing=carrier.missing_settings(),
                tracking=trackings.get(carrier.slug),
                paused_until=paused,
                last_error=state.last_error if paused and state else "",
            )
        )
    return panels


def parcel_search_deadline(*, parcel: Parcel) -> datetime | None:
    """Until when the sender can ask the post to search; None once the journey is over or
    before anything was posted."""
    if parcel.status in {Status.DELIVERED, Status.RETURNING}:
        return None
    posted = parcel.events.order_by("happened_at").values_list("happened_at", flat=True).first()
    return search_request_deadline(posted_at=posted, kind=parcel.kind, code=parcel.code) if posted else None
