"""Reactions to what the parcels app reports (connected in NotificationsConfig.ready)."""

from django.dispatch import receiver

from notifications import tasks
from parcels.signals import parcel_changed, status_changed

# A poll ingests a whole batch within a second or two: waiting this long lets one message
# carry every change of that batch.
BATCH_GATHER_SECONDS = 3


@receiver(status_changed)
def deliver_soon(sender, change, **kwargs) -> None:
    tasks.deliver_user.apply_async((change.parcel.owner_id,), countdown=BATCH_GATHER_SECONDS)


@receiver(parcel_changed)
def rearm_alerts(sender, parcel, **kwargs) -> None:
    tasks.refresh_parcel_alerts.delay(parcel.pk)
