import factory

from parcels.models import Folder, Parcel, TrackingEvent
from parcels.status import Status
from tests.factories import UserFactory


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Folder

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Папка {n}")


class ParcelFactory(factory.django.DjangoModelFactory):
    """A parcel as the service would store it, for tests that need many quickly."""

    class Meta:
        model = Parcel

    owner = factory.SubFactory(UserFactory)
    code = factory.Sequence(lambda n: f"DEMO{n:08d}")
    typed_code = factory.SelfAttribute("code")
    kind = "demo"
    code_valid = True
    origin_country = "CN"
    destination_country = "RU"


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    parcel = factory.SubFactory(ParcelFactory)
    happened_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
    status = Status.IN_TRANSIT
    description = factory.Sequence(lambda n: f"Сортировка {n}")
    location = "Москва"
    carrier = "sandbox"
    fingerprint = factory.Sequence(lambda n: f"fp{n}")
