from django.contrib import admin
from django.urls import include, path

from tracker import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("parcels/", include("parcels.urls")),
    path("admin/", admin.site.urls),
]
