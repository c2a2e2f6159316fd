import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from parcels.codes import identify


class Command(BaseCommand):
    help = "Recognize track codes: one JSON object per code, one line each."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE")
        parser.add_argument(
            "--destination",
            default=settings.DEFAULT_DESTINATION_COUNTRY,
            help="ISO country the parcels go to (default: %(default)s).",
        )
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of country names and advice.",
        )

    def handle(self, *args, codes: list[str], destination: str, language: str, **options):
        with translation.override(language):
            for code in codes:
                recognition = identify(code, destination=destination.upper() or None)
                self.stdout.write(json.dumps(recognition.as_json(), ensure_ascii=False))
