"""Celery tasks: thin callers of notifications.services."""

from celery import shared_task

from accounts.models import User
from notifications import services
from parcels.models import Parcel


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=60, time_limit=90)
def deliver_user(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    # News held back by the digest window is picked up by deliver_pending once the window closes.
    for message in services.outbox_deliver(user=user):
        send_message.delay(message.pk)


# acks_late: a worker that dies mid-send leaves the task for another; the message's
# compare-and-swap state makes a second run send nothing twice. A transient failure queues the
# next attempt with a growing delay; the message itself counts the attempts.
@shared_task(ignore_result=True, acks_late=True, soft_time_limit=60, time_limit=90)
def send_message(message_id: int) -> None:
    outcome = services.message_send(message_id=message_id)
    if outcome.retry_in is not None:
        send_message.apply_async((message_id,), countdown=outcome.retry_in.total_seconds())


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def deliver_pending() -> None:
    """Every minute: anything a lost task left behind."""
    for user_id in services.users_with_news():
        deliver_user.delay(user_id)
    for message_id in services.messages_stuck():
        send_message.delay(message_id)


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def check_alerts() -> None:
    for user_id in services.alerts_check_due():
        deliver_user.delay(user_id)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def refresh_parcel_alerts(parcel_id: int) -> None:
    parcel = Parcel.objects.filter(pk=parcel_id).first()
    if parcel is not None and services.parcel_alerts_refresh(parcel=parcel):
        deliver_user.delay(parcel.owner_id)
