from django.urls import path

from flows import run_views, views

app_name = "flows"
urlpatterns = [
    path("", views.flow_list, name="list"),
    path("new/", views.flow_create, name="create"),
    path("generate/", views.flow_generate, name="generate"),
    path("import/", views.flow_import, name="import"),
    path("suggest/", run_views.suggest, name="suggest"),
    path("steps/", run_views.steps, name="steps"),
    path("steps/<uuid:entry_id>/vote/", run_views.vote, name="vote"),
    path("<uuid:flow_id>/", views.flow_detail, name="detail"),
    path("<uuid:flow_id>/edit/", views.flow_edit, name="edit"),
    path("<uuid:flow_id>/edit/details/", views.details_save, name="details"),
    path("<uuid:flow_id>/edit/nodes/", views.node_add, name="node_add"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/", views.node_save, name="node_save"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/delete/", views.node_delete, name="node_delete"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/move/", views.node_move, name="node_move"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/library/", views.node_from_library, name="node_library"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/to-library/", views.node_to_library, name="node_to_library"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/start/", views.node_start, name="node_start"),
    path("<uuid:flow_id>/edit/nodes/<str:key>/answers/<int:index>/move/", views.answer_move, name="answer_move"),
    path("<uuid:flow_id>/publish/", views.publish, name="publish"),
    path("<uuid:flow_id>/archive/", views.archive, name="archive"),
    path("<uuid:flow_id>/duplicate/", views.duplicate, name="duplicate"),
    path("<uuid:flow_id>/export/", views.export, name="export"),
    path("<uuid:flow_id>/run-new/", run_views.run_new, name="run_new"),
    path("sessions/<uuid:session_id>/start/", run_views.start, name="run_start"),
    path("sessions/<uuid:session_id>/answer/", run_views.answer, name="run_answer"),
    path("sessions/<uuid:session_id>/back/", run_views.back, name="run_back"),
    path("sessions/<uuid:session_id>/leave/", run_views.leave, name="run_leave"),
    path("sessions/<uuid:session_id>/library/save/", run_views.save_from_session, name="library_save"),
    path("sessions/<uuid:session_id>/library/insert/", run_views.insert_into_session, name="library_insert"),
]
