"""Quiz pages, mounted under ``/quizzes/``."""

from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_list, name="list"),
    path("<int:quiz_id>/", views.quiz_detail, name="detail"),
    path("<int:quiz_id>/start/", views.attempt_start, name="start"),
    path("<int:quiz_id>/stats/", views.quiz_stats, name="stats"),
    path("<int:quiz_id>/attempts.csv", views.quiz_export, name="export"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="take"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
