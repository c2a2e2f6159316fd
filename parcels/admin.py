from django.contrib import admin

from parcels.models import (
    CarrierExchange,
    CarrierState,
    CarrierTicket,
    Folder,
    Parcel,
    StatusChange,
    Tracking,
    TrackingEvent,
)


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = ["code", "owner", "status", "kind", "code_valid", "created_at", "archived_at"]
    list_filter = ["status", "kind", "code_valid"]
    search_fields = ["code", "comment", "owner__email"]
    raw_id_fields = ["owner", "folder", "last_event"]


@admin.register(Folder)
class FolderAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "position"]
    search_fields = ["name", "owner__email"]


@admin.register(TrackingEvent)
class TrackingEventAdmin(admin.ModelAdmin):
    list_display = ["parcel", "happened_at", "status", "carrier", "description"]
    list_filter = ["carrier", "status"]
    raw_id_fields = ["parcel"]


@admin.register(Tracking)
class TrackingAdmin(admin.ModelAdmin):
    list_display = [
        "parcel",
        "carrier",
        "next_poll_at",
        "last_polled_at",
        "failures",
        "last_error",
        "stopped_at",
    ]
    list_filter = ["carrier"]
    raw_id_fields = ["parcel"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["parcel", "from_status", "to_status", "first_sync", "created_at", "processed_at"]
    raw_id_fields = ["parcel", "event"]


@admin.register(CarrierState)
class CarrierStateAdmin(admin.ModelAdmin):
    list_display = [
        "carrier",
        "failures",
        "paused_until",
        "last_error",
        "budget_day",
        "budget_used",
        "quota_total",
        "quota_used",
    ]


@admin.register(CarrierExchange)
class CarrierExchangeAdmin(admin.ModelAdmin):
    """The last raw requests and answers of each carrier, to see what changed when parsing fails."""

    list_display = ["created_at", "carrier", "status_code", "error", "duration_ms"]
    list_filter = ["carrier"]
    readonly_fields = ["carrier", "created_at", "request", "response", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CarrierTicket)
class CarrierTicketAdmin(admin.ModelAdmin):
    list_display = ["token", "carrier", "created_at", "collect_after", "collected_at", "attempts"]
