"""Each stall and deadline rule at its edges, with the clock moved by time_machine, and re-arming."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from notifications.models import Alert, NotificationSettings
from notifications.services import parcel_alerts_refresh
from parcels import services, tracking
from parcels.carriers.base import CarrierEvent, CodeResult
from parcels.models import Parcel

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def at(moment):
    return time_machine.travel(moment, tick=False)


def rules_fired(parcel, moment):
    with at(moment):
        return [alert.rule for alert in parcel_alerts_refresh(parcel=parcel)]


def add(user, code="LP00123456789012", **kwargs):
    with at(T0):
        return services.parcel_add(owner=user, typed_code=code, **kwargs)


def move(parcel, when, status, raw="x"):
    with at(when):
        event = CarrierEvent(parcel.code, when, status, status, "", "cainiao", raw)
        tracking.events_ingest(parcel=Parcel.objects.get(pk=parcel.pk), result=CodeResult(events=(event,)))


def test_not_tracked_after_10_days_then_dispute_after_15(user):
    parcel = add(user)
    assert rules_fired(parcel, T0 + timedelta(days=10) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=10)) == ["not_tracked"]
    assert rules_fired(parcel, T0 + timedelta(days=15) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=15)) == ["dispute"]
    assert rules_fired(parcel, T0 + timedelta(days=40)) == []  # once per episode


def test_not_tracked_counts_from_the_shipping_date_and_a_late_check_sends_only_the_dispute(user):
    parcel = add(user, shipped_on=date(2026, 2, 10))  # 20 days before it was added
    assert rules_fired(parcel, T0 + MINUTE) == ["dispute"]


def test_the_user_sets_the_threshold(user):
    NotificationSettings.objects.create(user=user, not_tracked_days=3)
    parcel = add(user)
    assert rules_fired(parcel, T0 + timedelta(days=3)) == ["not_tracked"]


def test_transit_stall_after_14_days_and_it_rearms_when_the_parcel_moves(user):
    parcel = add(user)
    move(parcel, T0, "in_transit", raw="a")
    assert rules_fired(parcel, T0 + timedelta(days=14) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=14)) == ["transit_stall"]
    assert rules_fired(parcel, T0 + timedelta(days=15)) == []
    moved = T0 + timedelta(days=16)
    move(parcel, moved, "in_transit", raw="b")
    assert rules_fired(parcel, moved + timedelta(days=14) - MINUTE) == []
    assert rules_fired(parcel, moved + timedelta(days=14)) == ["transit_stall"]
    assert Alert.objects.filter(parcel=parcel, rule="transit_stall").count() == 2


def test_customs_hold_after_21_days(user):
    parcel = add(user)
    move(parcel, T0, "customs")
    assert rules_fired(parcel, T0 + timedelta(days=21) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=21)) == ["customs_stall"]


def test_silent_30_days_may_be_lost_and_the_search_window_is_reminded(user):
    parcel = add(user, code="RR473124829CN")
    move(parcel, T0, "in_transit")  # posted 2 March: search requests until 2 September
    assert rules_fired(parcel, T0 + timedelta(days=30) - MINUTE) == ["transit_stall"]
    assert rules_fired(parcel, T0 + timedelta(days=30)) == ["maybe_lost"]
    deadline = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
    assert rules_fired(parcel, deadline - timedelta(days=14) - MINUTE) == []
    assert rules_fired(parcel, deadline - timedelta(days=14)) == ["search_deadline"]


def test_the_search_window_of_ems_is_four_months(user):
    parcel = add(user, code="EA473124829CN")
    move(parcel, T0, "in_transit")
    rules_fired(parcel, T0 + timedelta(days=31))
    deadline = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    assert rules_fired(parcel, deadline - timedelta(days=14)) == ["search_deadline"]


def test_a_code_not_tracked_end_to_end_explains_the_blind_spot_once(user):
    parcel = add(user, code="UA473124829CN")
    move(parcel, T0, "in_transit")
    assert rules_fired(parcel, T0 + timedelta(days=7) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=7)) == ["went_dark"]
    move(parcel, T0 + timedelta(days=8), "in_transit", raw="later")
    assert rules_fired(parcel, T0 + timedelta(days=38) - MINUTE) == []  # no second "went dark"
    assert rules_fired(parcel, T0 + timedelta(days=38)) == ["maybe_lost"]


def test_waiting_at_the_pickup_office_after_5_days_and_5_days_before_storage_ends(user):
    parcel = add(user)
    with at(T0):
        move(parcel, T0, "available_for_pickup")
    assert rules_fired(parcel, T0 + timedelta(days=5) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=5)) == ["pickup_waiting"]
    assert rules_fired(parcel, T0 + timedelta(days=25) - MINUTE) == []
    assert rules_fired(parcel, T0 + timedelta(days=25)) == ["storage_ending"]


def test_buyer_protection_reminders_5_days_and_1_day_before_unless_delivered(user):
    parcel = add(user, protection_ends_on=date(2026, 4, 1))
    ends = datetime(2026, 4, 1, tzinfo=UTC)
    rules_fired(parcel, T0 + timedelta(days=15))  # the dispute reminder, out of the way
    assert rules_fired(parcel, ends - timedelta(days=5) - MINUTE) == []
    assert rules_fired(parcel, ends - timedelta(days=5)) == ["protection_first"]
    assert rules_fired(parcel, ends - timedelta(days=1)) == ["protection_last"]
    delivered = add(user, code="LP00000000000077", protection_ends_on=date(2026, 4, 1))
    move(delivered, T0, "delivered")
    assert rules_fired(delivered, ends - timedelta(days=1)) == []


def test_a_new_protection_date_rearms_the_reminders(user):
    parcel = add(user, protection_ends_on=date(2026, 3, 10))
    NotificationSettings.objects.create(user=user, not_tracked_days=60, dispute_days=90)
    assert rules_fired(parcel, datetime(2026, 3, 9, tzinfo=UTC)) == ["protection_last"]
    Parcel.objects.filter(pk=parcel.pk).update(protection_ends_on=date(2026, 3, 20))
    assert rules_fired(parcel, datetime(2026, 3, 19, tzinfo=UTC)) == ["protection_last"]


def test_the_next_check_time_is_kept_on_the_parcel_for_the_indexed_sweep(
    user, django_capture_on_commit_callbacks
):
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        parcel = services.parcel_add(owner=user, typed_code="LP00123456789012")
    parcel.refresh_from_db()
    assert parcel.next_alert_check_at == T0 + timedelta(days=10)
    with at(T0 + timedelta(days=10)):
        from notifications.services import alerts_check_due

        assert alerts_check_due() == {user.pk}
    parcel.refresh_from_db()
    assert parcel.next_alert_check_at == T0 + timedelta(days=15)


def test_no_alerts_when_the_user_turned_them_off_or_archived_the_parcel(user):
    parcel = add(user)
    NotificationSettings.objects.create(user=user, deadline_alerts=False)
    assert rules_fired(parcel, T0 + timedelta(days=30)) == []
    NotificationSettings.objects.filter(user=user).update(deadline_alerts=True)
    services.parcel_archive(parcel=parcel)
    assert rules_fired(parcel, T0 + timedelta(days=30)) == []
