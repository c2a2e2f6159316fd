from celery import shared_task

from tracker import health


@shared_task(ignore_result=True)
def health_heartbeat_record() -> None:
    health.health_heartbeat_record()
