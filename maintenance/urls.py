"""`/runs/`: the run list and new-run form, a run's grid, a target's items, notes and push; the schedules."""

from django.urls import path

from maintenance import schedule_views, views

app_name = "maintenance"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_create, name="create"),
    path("schedules/", schedule_views.schedule_list, name="schedules"),
    path("schedules/new/", schedule_views.schedule_create, name="schedule_create"),
    path("schedules/preview/", schedule_views.schedule_preview, name="schedule_preview"),
    path("schedules/<uuid:schedule_id>/edit/", schedule_views.schedule_edit, name="schedule_edit"),
    path("schedules/<uuid:schedule_id>/preview/", schedule_views.schedule_edit_preview, name="schedule_edit_preview"),
    path("schedules/<uuid:schedule_id>/pause/", schedule_views.schedule_pause, name="schedule_pause"),
    path("schedules/<uuid:schedule_id>/resume/", schedule_views.schedule_resume, name="schedule_resume"),
    path("schedules/<uuid:schedule_id>/delete/", schedule_views.schedule_delete, name="schedule_delete"),
    path("<uuid:run_id>/", views.run_detail, name="detail"),
    path("<uuid:run_id>/grid/", views.run_grid, name="grid"),
    path("<uuid:run_id>/cells/<int:row>/<int:col>/tick/", views.cell_tick, name="tick"),
    path("<uuid:run_id>/steps/<str:node_key>/done/", views.bulk_done, name="bulk_done"),
    path("<uuid:run_id>/summary/", views.run_summary, name="summary"),
    path("<uuid:run_id>/targets/<uuid:target_id>/", views.target_detail, name="target"),
    path("<uuid:run_id>/targets/<uuid:target_id>/items/<uuid:item_id>/", views.item_save, name="item"),
    path("<uuid:run_id>/targets/<uuid:target_id>/push/", views.target_push, name="push"),
]
