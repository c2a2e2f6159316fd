from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.forms import PreferencesForm
from accounts.services import user_language_set, user_preferences_update


def account_page(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_preferences_update(user=request.user, **form.cleaned_data)
        translation.activate(user.language or translation.get_language())
        messages.success(request, _("Your settings are saved."))
        response = redirect("accounts:account")
        if user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/account.html", {"form": form})


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect), remembered on the account when signed in."""
    response = set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
