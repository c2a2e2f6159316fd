import json

from django.core.management.base import BaseCommand, CommandError

from tracker.health import health_status


class Command(BaseCommand):
    help = "Print the health of database and worker as JSON; exit non-zero when unhealthy."

    def add_arguments(self, parser):
        parser.add_argument(
            "--heartbeat",
            action="store_true",
            help="Also require a fresh heartbeat (beat schedules it, a worker records it).",
        )

    def handle(self, *args, heartbeat: bool, **options):
        status = health_status()
        self.stdout.write(json.dumps(status))
        if not status["ok"]:
            raise CommandError("the database does not answer")
        if heartbeat and status["worker"] != "ok":
            raise CommandError(f"worker heartbeat: {status['worker']}")
