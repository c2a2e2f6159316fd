"""Thin views: read the request, call a service or selector, render. Every object comes from the
signed-in user's own querysets, so another user's id answers 404."""

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from parcels import selectors, services, tasks, tracking
from parcels.codes import identify
from parcels.extract import (
    FILE_READ_LIMIT,
    MAX_FILE_BYTES,
    InputTooLarge,
    candidates_from_input,
    candidates_from_lines,
)
from parcels.forms import BulkAddForm, CsvImportForm, FolderForm, MoveForm, ParcelAddForm, ParcelEditForm
from parcels.posts import carrier_links
from parcels.status import Status

PAGE_SIZE = 25


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _name_countries(parcels) -> None:
    """Name each distinct country once per page: django-countries translates its whole list on
    every lookup, which was most of a 50-row dashboard's rendering time."""
    names: dict[str, str] = {}
    for parcel in parcels:
        for side in ("origin", "destination"):
            code = getattr(parcel, f"{side}_country").code or ""
            if code and code not in names:
                names[code] = str(countries.name(code))
            setattr(parcel, f"{side}_name", names.get(code, ""))


def dashboard(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    folder = request.GET.get("folder", "")
    query = request.GET.get("q", "")
    parcels = selectors.parcels_list(
        owner=request.user, archived=archived, status=status, folder=folder, query=query
    )
    page = Paginator(parcels, PAGE_SIZE).get_page(request.GET.get("page"))
    _name_countries(page.object_list)
    folders = list(selectors.folders_with_counts(owner=request.user))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "parcels/dashboard.html",
        {
            "page_obj": page,
            "folders": folders,
            "counts": selectors.parcel_counts(owner=request.user),
            "statuses": Status.choices,
            "archived": archived,
            "status": status,
            "folder": folder,
            "query": query,
            "filtered": bool(status or folder or query.strip()),
            "filter_query": filters.urlencode(),
            "no_folder": selectors.NO_FOLDER,
        },
    )


def parcel_add(request: HttpRequest) -> HttpResponse:
    form = ParcelAddForm(request.POST or None, owner=request.user)
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parcel = services.parcel_add(
                owner=request.user,
                typed_code=data["code"],
                comment=data["comment"],
                folder=data["folder"],
                destination_country=data["destination_country"],
                shipped_on=data["shipped_on"],
                protection_ends_on=data["protection_ends_on"],
                confirmed=data["confirm"],
            )
        except services.ParcelRefused as refusal:
            if refusal.existing is not None:
                form.add_error(
                    "code",
                    format_html(
                        '{} <a href="{}">{}</a>',
                        str(refusal),
                        refusal.existing.get_absolute_url(),
                        _("Open it"),
                    ),
                )
            else:
                form.add_error("code", str(refusal))
                needs_confirmation = refusal.confirmable
        else:
            messages.success(request, _("%(code)s is added.") % {"code": parcel.code})
            return redirect(parcel)
    return render(request, "parcels/add.html", {"form": form, "needs_confirmation": needs_confirmation})


@require_GET
def identify_preview(request: HttpRequest) -> HttpResponse:
    """The live recognition under the code field (htmx)."""
    typed = request.GET.get("code", "")[:200]
    destination = request.GET.get("destination_country") or request.user.destination_country.code
    recognition = identify(typed, destination=destination) if typed.strip() else None
    existing = (
        selectors.parcels_of(owner=request.user).filter(code=recognition.code).first()
        if recognition and not services.UNADDABLE_PROBLEMS.intersection(recognition.problems)
        else None
    )
    return render(request, "parcels/_recognition.html", {"recognition": recognition, "existing": existing})


def bulk_add(request: HttpRequest) -> HttpResponse:
    form = BulkAddForm(request.POST or None, request.FILES or None, owner=request.user)
    context: dict = {"form": form, "max_file_mb": MAX_FILE_BYTES // (1024 * 1024)}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            extraction = candidates_from_input(
                text=form.cleaned_data["text"],
                file_name=upload.name if upload else "",
                file_data=upload.read(FILE_READ_LIMIT) if upload else b"",
                mode=form.cleaned_data["mode"],
                destination=request.user.destination_country.code,
            )
        except InputTooLarge as error:
            form.add_error(None, str(error))
            return render(request, "parcels/bulk.html", context)
        folder = form.cleaned_data["folder"]
        if upload:
            # Preview and save must read the same text: a file becomes the list of codes found in it.
            text = extraction.as_lines()
            extraction = candidates_from_lines(text, destination=request.user.destination_country.code)
            form = BulkAddForm(
                {"text": text, "mode": "lines", "folder": folder.pk if folder else ""}, owner=request.user
            )
            form.is_valid()
        if request.POST.get("action") == "save" and not upload:
            confirmed = {int(line) for line in request.POST.getlist("confirm") if line.isdigit()}
            result = services.parcels_add_bulk(
                owner=request.user, candidates=extraction.candidates, confirmed_lines=confirmed, folder=folder
            )
            return render(request, "parcels/bulk_result.html", {"result": result, "folder": folder})
        existing = set(
            selectors.parcels_of(owner=request.user)
            .filter(code__in=[c.recognition.code for c in extraction.candidates])
            .values_list("code", flat=True)
        )
        context.update(form=form, extraction=extraction, existing=existing)
    return render(request, "parcels/bulk.html", context)


def parcel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    parcel = get_object_or_404(selectors.parcels_of(owner=request.user).select_related("folder"), pk=pk)
    form = ParcelEditForm(request.POST or None, instance=parcel)
    if request.method == "POST" and form.is_valid():
        services.parcel_update(parcel=parcel, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect(parcel)
    recognition = parcel.recognition
    return render(
        request,
        "parcels/detail.html",
        {
            "parcel": parcel,
            "form": form,
            "recognition": recognition,
            "events": selectors.parcel_timeline(parcel=parcel),
            "links": carrier_links(
                recognition.carriers, code=parcel.code, destination=parcel.destination_country.code
            ),
            "carriers": selectors.parcel_carriers(parcel=parcel),
            "search_deadline": selectors.parcel_search_deadline(parcel=parcel),
        },
    )


def _archive_toggle(request: HttpRequest, pk: int, *, archive: bool) -> HttpResponse:
    parcel = get_object_or_404(selectors.parcels_of(owner=request.user), pk=pk)
    if archive and services.parcel_archive(parcel=parcel):
        messages.success(request, _("%(code)s is archived: it is no longer tracked.") % {"code": parcel.code})
    elif not archive and services.parcel_unarchive(parcel=parcel):
        messages.success(request, _("%(code)s is back in your active parcels.") % {"code": parcel.code})
    return redirect(_safe_next(request, parcel.get_absolute_url()))


@require_POST
def parcel_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive_toggle(request, pk, archive=True)


@require_POST
def parcel_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    return _archive_toggle(request, pk, archive=False)


def parcel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    parcel = get_object_or_404(selectors.parcels_of(owner=request.user), pk=pk)
    if request.method == "POST":
        services.parcel_delete(parcel=parcel)
        messages.success(request, _("%(code)s is deleted.") % {"code": parcel.code})
        return redirect("parcels:dashboard")
    return render(request, "parcels/delete.html", {"parcel": parcel})


@require_POST
def parcels_move(request: HttpRequest) -> HttpResponse:
    form = MoveForm(request.POST, owner=request.user)
    back = _safe_next(request, "/parcels/")
    if not form.is_valid():
        messages.error(request, _("Choose the parcels to move and a folder that exists."))
        return redirect(back)
    folder = form.cleaned_data["folder"]
    moved = services.parcels_move(owner=request.user, parcel_ids=form.cleaned_data["parcels"], folder=folder)
    target = folder.name if folder else _("No folder")
    messages.success(
        request,
        ngettext("%(count)d parcel moved to “%(folder)s”.", "%(count)d parcels moved to “%(folder)s”.", moved)
        % {"count": moved, "folder": target},
    )
    return redirect(back)


def folders(request: HttpRequest) -> HttpResponse:
    form = FolderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            folder = services.folder_create(owner=request.user, name=form.cleaned_data["name"])
        except services.FolderNameTaken:
            form.add_error("name", _("You already have a folder with this name."))
        else:
            messages.success(request, _("Folder “%(name)s” is created.") % {"name": folder.name})
            return redirect("parcels:folders")
    return render(
        request,
        "parcels/folders.html",
        {"form": form, "folders": selectors.folders_with_counts(owner=request.user)},
    )


@require_POST
def folder_rename(request: HttpRequest, pk: int) -> HttpResponse:
    folder = get_object_or_404(selectors.folders_of(owner=request.user), pk=pk)
    form = FolderForm(request.POST, instance=folder)
    if form.is_valid():
        try:
            services.folder_rename(folder=folder, name=form.cleaned_data["name"])
        except services.FolderNameTaken:
            messages.error(request, _("You already have a folder with this name."))
        else:
            messages.success(request, _("Folder renamed to “%(name)s”.") % {"name": folder.name})
    else:
        messages.error(request, _("A folder needs a name of at most 100 characters."))
    return redirect("parcels:folders")


def folder_delete(request: HttpRequest, pk: int) -> HttpResponse:
    folder = get_object_or_404(selectors.folders_with_counts(owner=request.user), pk=pk)
    if request.method == "POST":
        moved = services.folder_delete(folder=folder)
        messages.success(
            request,
            ngettext(
                "Folder “%(name)s” is deleted; its %(count)d parcel is now in “No folder”.",
                "Folder “%(name)s” is deleted; its %(count)d parcels are now in “No folder”.",
                moved,
            )
            % {"name": folder.name, "count": moved},
        )
        return redirect("parcels:folders")
    return render(request, "parcels/folder_delete.html", {"folder": folder})


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(selectors.parcels_csv(owner=request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="parcels.csv"'
    return response


def import_csv(request: HttpRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(FILE_READ_LIMIT)
        try:
            if len(data) > MAX_FILE_BYTES:
                raise services.CsvUnreadable(
                    _("The file is too large: at most %(limit)d MB.")
                    % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
                )
            result = services.parcels_import_csv(owner=request.user, text=data.decode("utf-8-sig", "replace"))
        except services.CsvUnreadable as error:
            form.add_error("file", str(error))
        else:
            return render(request, "parcels/bulk_result.html", {"result": result, "imported": True})
    return render(request, "parcels/import.html", {"form": form})


REFRESHES_PER_HOUR = 20


@require_POST
def parcel_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Poll the parcel now; each user has a few of these an hour so carriers are not hammered."""
    parcel = get_object_or_404(selectors.parcels_of(owner=request.user), pk=pk)
    key = f"refresh:{request.user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > REFRESHES_PER_HOUR:
        messages.error(
            request, _("You have refreshed many times this hour: the next automatic check comes soon.")
        )
    else:
        for batch in tracking.parcel_refresh(parcel=parcel):
            transaction.on_commit(
                lambda batch=batch: tasks.poll_batch.delay(batch.carrier, batch.tracking_ids)
            )
        messages.info(request, _("Asking the carriers now; the page shows what they say when you reload it."))
    return redirect(parcel)
