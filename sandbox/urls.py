"""Lab pages, mounted under ``/lab/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.lab, name="lab"),
    path("jobs/<uuid:job_id>/", views.job_page, name="lab-job"),
    path("jobs/<uuid:job_id>/panel/", views.job_panel, name="lab-job-panel"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="lab-job-cancel"),
    path("<slug:slug>/", views.lab, name="lab-assignment"),
    path("<slug:slug>/scores/", views.assignment_scores, name="lab-scores"),
]
