"""`/runs/`: the run list and new-run form, a run's grid, a target's items, notes and push."""

from django.urls import path

from maintenance import views

app_name = "maintenance"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_create, name="create"),
    path("<uuid:run_id>/", views.run_detail, name="detail"),
    path("<uuid:run_id>/grid/", views.run_grid, name="grid"),
    path("<uuid:run_id>/cells/<int:row>/<int:col>/tick/", views.cell_tick, name="tick"),
    path("<uuid:run_id>/steps/<str:node_key>/done/", views.bulk_done, name="bulk_done"),
    path("<uuid:run_id>/summary/", views.run_summary, name="summary"),
    path("<uuid:run_id>/targets/<uuid:target_id>/", views.target_detail, name="target"),
    path("<uuid:run_id>/targets/<uuid:target_id>/items/<uuid:item_id>/", views.item_save, name="item"),
    path("<uuid:run_id>/targets/<uuid:target_id>/push/", views.target_push, name="push"),
]
