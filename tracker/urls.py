from django.contrib import admin
from django.urls import include, path

from parcels import webhooks
from tracker import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("parcels/", include("parcels.urls")),
    path("notifications/", include("notifications.urls")),
    path("webhooks/17track/", webhooks.seventeen_track_push, name="webhook_17track"),
    path("admin/", admin.site.urls),
]
