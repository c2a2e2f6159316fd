from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Alert, Channel


def alerts_of(*, user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(parcel__owner=user).select_related("parcel").order_by("-created_at", "-id")


def channels_of(*, user: User) -> QuerySet[Channel]:
    return Channel.objects.filter(user=user)
