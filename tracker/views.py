from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from tracker.health import health_status


@login_not_required
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("parcels:dashboard")
    return render(request, "landing.html")


@login_not_required
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    status = health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)
