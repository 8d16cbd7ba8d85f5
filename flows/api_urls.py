from django.urls import path

from flows import api, proposal_api

urlpatterns = [
    path("flows/", api.FlowListView.as_view(), name="api-flows"),
    path("flows/import/", api.FlowImportView.as_view(), name="api-flows-import"),
    path("flows/generate/", api.FlowGenerateView.as_view(), name="api-flows-generate"),
    path("flows/proposals/", proposal_api.ProposalListView.as_view(), name="api-proposals"),
    path(
        "flows/proposals/<uuid:proposal_id>/accept/",
        proposal_api.ProposalAcceptView.as_view(),
        name="api-proposal-accept",
    ),
    path(
        "flows/proposals/<uuid:proposal_id>/reject/",
        proposal_api.ProposalRejectView.as_view(),
        name="api-proposal-reject",
    ),
    path("flows/<uuid:flow_id>/", api.FlowDetailView.as_view(), name="api-flow"),
    path("flows/<uuid:flow_id>/graph/", api.FlowGraphView.as_view(), name="api-flow-graph"),
    path("flows/<uuid:flow_id>/publish/", api.FlowPublishView.as_view(), name="api-flow-publish"),
    path("flows/<uuid:flow_id>/export/", api.FlowExportView.as_view(), name="api-flow-export"),
    path("sessions/<uuid:session_id>/flow/", api.SessionFlowView.as_view(), name="api-session-flow"),
    path(
        "sessions/<uuid:session_id>/flow/answer/", api.SessionFlowAnswerView.as_view(), name="api-session-flow-answer"
    ),
    path("sessions/<uuid:session_id>/flow/back/", api.SessionFlowBackView.as_view(), name="api-session-flow-back"),
    path("sessions/<uuid:session_id>/flow/leave/", api.SessionFlowLeaveView.as_view(), name="api-session-flow-leave"),
]
