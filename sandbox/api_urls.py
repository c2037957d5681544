"""Training-jobs API routes, mounted under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("assignments/", api.AssignmentListView.as_view(), name="api-assignments"),
    path("assignments/<slug:slug>/", api.AssignmentDetailView.as_view(), name="api-assignment"),
    path("assignments/<slug:slug>/scores/", api.AssignmentScoresView.as_view(), name="api-assignment-scores"),
    path("jobs/", api.JobListView.as_view(), name="api-jobs"),
    path("jobs/<uuid:job_id>/", api.JobDetailView.as_view(), name="api-job"),
    path("jobs/<uuid:job_id>/cancel/", api.JobCancelView.as_view(), name="api-job-cancel"),
]
