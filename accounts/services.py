from django.utils import translation

from accounts.models import User


def user_preferences_update(*, user: User, language: str, time_zone: str, destination_country: str) -> User:
    user.language = language
    user.time_zone = time_zone
    user.destination_country = destination_country
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "time_zone", "destination_country"])
    return user


def user_language_set(*, user: User, language: str) -> None:
    if translation.check_for_language(language) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
