from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_page, name="account"),
    path("language/", views.language_switch, name="language"),
]
