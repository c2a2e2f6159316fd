from django.urls import path

from parcels import views

app_name = "parcels"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("add/", views.parcel_add, name="add"),
    path("add/identify/", views.identify_preview, name="identify"),
    path("add/many/", views.bulk_add, name="bulk"),
    path("move/", views.parcels_move, name="move"),
    path("export.csv", views.export_csv, name="export"),
    path("import/", views.import_csv, name="import"),
    path("<int:pk>/", views.parcel_detail, name="detail"),
    path("<int:pk>/archive/", views.parcel_archive, name="archive"),
    path("<int:pk>/unarchive/", views.parcel_unarchive, name="unarchive"),
    path("<int:pk>/delete/", views.parcel_delete, name="delete"),
    path("<int:pk>/refresh/", views.parcel_refresh, name="refresh"),
    path("folders/", views.folders, name="folders"),
    path("folders/<int:pk>/rename/", views.folder_rename, name="folder_rename"),
    path("folders/<int:pk>/delete/", views.folder_delete, name="folder_delete"),
]
