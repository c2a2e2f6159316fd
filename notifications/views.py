from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.channels import SendError
from notifications.forms import ChannelForm, PreferencesForm
from parcels.selectors import parcels_of


def alerts(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.alerts_of(user=request.user), 30).get_page(request.GET.get("page"))
    items = [(alert, services.alert_item(alert)) for alert in page.object_list]
    disabled = selectors.channels_of(user=request.user).filter(enabled=False).exclude(disabled_reason="")
    return render(
        request, "notifications/alerts.html", {"page_obj": page, "items": items, "disabled": disabled}
    )


def settings_page(request: HttpRequest) -> HttpResponse:
    preferences = services.notification_settings_get(user=request.user)
    form = PreferencesForm(request.POST or None, instance=preferences, prefix="prefs")
    channel_form = ChannelForm(request.POST if "add_channel" in request.POST else None, prefix="channel")
    if request.method == "POST" and "add_channel" in request.POST:
        if channel_form.is_valid():
            services.channel_add(user=request.user, **channel_form.cleaned_data)
            messages.success(request, _("Channel added. Send a test to check it."))
            return redirect("notifications:settings")
        form = PreferencesForm(instance=preferences, prefix="prefs")
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Notification settings saved."))
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "channel_form": channel_form, "channels": selectors.channels_of(user=request.user)},
    )


@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channels_of(user=request.user), pk=pk)
    try:
        services.channel_test(channel=channel)
    except SendError as error:
        messages.error(request, _("The test did not arrive: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Test sent to “%(label)s”.") % {"label": channel.label})
    return redirect("notifications:settings")


@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channels_of(user=request.user), pk=pk)
    channel.delete()
    messages.success(request, _("Channel “%(label)s” removed.") % {"label": channel.label})
    return redirect("notifications:settings")


@require_POST
def parcel_mute(request: HttpRequest, pk: int) -> HttpResponse:
    parcel = get_object_or_404(parcels_of(owner=request.user), pk=pk)
    muted = request.POST.get("muted") == "1"
    services.parcel_mute_set(parcel=parcel, muted=muted)
    messages.success(
        request,
        _("Notifications for this parcel are off.") if muted else _("Notifications for this parcel are on."),
    )
    return redirect(parcel)


# No login and no CSRF token: the signed token is the authority. GET only asks (mail scanners
# follow links); POST unsubscribes, including RFC 8058 one-click POSTs from mail clients.
@login_not_required
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = services.unsubscribe_user(token)
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.email_unsubscribe(user=user)
        return render(request, "notifications/unsubscribe.html", {"done": True, "email": user.email})
    return render(request, "notifications/unsubscribe.html", {"email": user.email})
