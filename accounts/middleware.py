import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from accounts.services import user_language_set


class UserPreferencesMiddleware:
    """Shows a signed-in user's pages in their saved language and time zone.

    Runs after LocaleMiddleware, which already chose from the cookie or the browser's
    Accept-Language for visitors who have not saved a preference.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language and translation.check_for_language(user.language):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            else:
                # Remember the language the user reads the site in: their mail will use it too.
                user_language_set(user=user, language=request.LANGUAGE_CODE)
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.effective_time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
