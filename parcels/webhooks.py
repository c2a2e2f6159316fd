"""Pushes from carriers. Public URLs (no login, no CSRF): each proves its origin by a signature."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from parcels import tasks
from parcels.carriers.seventeen_track import webhook_signature_valid

MAX_PUSH_BYTES = 2 * 1024 * 1024


@login_not_required
@csrf_exempt
@require_POST
def seventeen_track_push(request: HttpRequest) -> HttpResponse:
    """Verify and queue: the answer comes at once, the ingestion runs in a worker."""
    key = settings.CARRIERS.get("17track", {}).get("key", "")
    if not key:
        return JsonResponse({"error": "17TRACK is not configured"}, status=404)
    body = request.body
    if len(body) > MAX_PUSH_BYTES:
        return JsonResponse({"error": "too large"}, status=413)
    if not webhook_signature_valid(body, request.headers.get("sign", ""), key):
        return JsonResponse({"error": "bad signature"}, status=403)
    tasks.ingest_17track_push.delay(body.decode("utf-8", "replace"))
    return JsonResponse({"ok": True})
