from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.alerts, name="alerts"),
    path("settings/", views.settings_page, name="settings"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("parcels/<int:pk>/mute/", views.parcel_mute, name="parcel_mute"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
