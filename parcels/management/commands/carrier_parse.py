import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcels.carriers import cainiao, russian_post, seventeen_track
from parcels.carriers.base import CarrierError, CodeResult


def _russian_post_single(body: bytes) -> dict[str, CodeResult]:
    # The single-access answer does not repeat the code; the barcode of each record does.
    from defusedxml.ElementTree import fromstring

    barcode = fromstring(body).find(f".//{{{russian_post.DATA}}}Barcode")
    code = (barcode.text or "").strip() if barcode is not None else ""
    return {code: russian_post.parse_single(body, code)}


def _russian_post_batch(body: bytes) -> dict[str, CodeResult]:
    results = russian_post.parse_batch(body)
    if results is None:
        raise CommandError("Russian Post says the answer for this ticket is not ready yet.")
    return results


PARSERS = {
    "russian_post": _russian_post_single,
    "russian_post_batch": _russian_post_batch,
    "17track": seventeen_track.parse,
    "17track_webhook": lambda body: seventeen_track.parse_webhook(body)[1],
    "cainiao": cainiao.parse,
}


class Command(BaseCommand):
    help = "Parse a saved raw carrier response and print its events as a JSON array."

    def add_arguments(self, parser):
        parser.add_argument("carrier", choices=sorted(PARSERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, carrier: str, file: Path, **options):
        try:
            body = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            results = PARSERS[carrier](body)
        except CarrierError as error:
            raise CommandError(f"{file} is not a readable {carrier} response: {error}") from error
        events = []
        for code, result in results.items():
            if result.error:
                self.stderr.write(f"{code}: {result.error}")
            events.extend(event.as_json() for event in result.events)
        events.sort(key=lambda event: (event["code"], event["time"]))
        self.stdout.write(json.dumps(events, ensure_ascii=False, indent=2))
