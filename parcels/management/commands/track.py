import json

from django.core.management.base import BaseCommand

from parcels.carriers import carriers_all
from parcels.carriers.base import CarrierError, Pending
from parcels.codes import identify
from parcels.tracking import exchange_record


class Command(BaseCommand):
    help = "Track one code live through every enabled carrier that serves it, and print what each answered."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--destination", default="RU")

    def handle(self, *args, code: str, destination: str, **options):
        recognition = identify(code, destination=destination)
        self.stdout.write(f"{recognition.code}: {recognition.kind_label}, valid={recognition.valid}")
        asked = 0
        for carrier in carriers_all(record=exchange_record):
            if not carrier.serves(recognition):
                continue
            if not carrier.enabled:
                self.stdout.write(f"- {carrier.name}: disabled (set {', '.join(carrier.missing_settings())})")
                continue
            asked += 1
            try:
                answer = carrier.track([recognition.code])
            except CarrierError as error:
                self.stdout.write(f"- {carrier.name}: error: {error}")
                continue
            if isinstance(answer, Pending):
                self.stdout.write(
                    f"- {carrier.name}: ticket {answer.token}, answer after {answer.collect_after}"
                )
                continue
            result = answer.get(recognition.code)
            if result is None or result.error:
                self.stdout.write(
                    f"- {carrier.name}: error: {result.error if result else 'no answer for the code'}"
                )
            elif result.not_found:
                self.stdout.write(f"- {carrier.name}: not found yet")
            else:
                self.stdout.write(f"- {carrier.name}: {len(result.events)} events")
                self.stdout.write(
                    json.dumps([event.as_json() for event in result.events], ensure_ascii=False, indent=2)
                )
        if not asked:
            self.stdout.write("No enabled carrier serves this code.")
