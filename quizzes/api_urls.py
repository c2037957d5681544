"""Quizzes API routes, mounted under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("quizzes/", api.QuizListCreateView.as_view(), name="api-quizzes"),
    path("quizzes/<int:quiz_id>/", api.QuizDetailView.as_view(), name="api-quiz"),
    path("quizzes/<int:quiz_id>/attempts/", api.QuizAttemptsView.as_view(), name="api-quiz-attempts"),
    path("quizzes/<int:quiz_id>/attempts/export/", api.QuizExportView.as_view(), name="api-quiz-export"),
    path("quizzes/<int:quiz_id>/questions/", api.QuizQuestionsView.as_view(), name="api-quiz-questions"),
    path("quizzes/<int:quiz_id>/import-gift/", api.QuizImportGiftView.as_view(), name="api-quiz-import-gift"),
    path("quizzes/<int:quiz_id>/stats/", api.QuizStatsView.as_view(), name="api-quiz-stats"),
    path("attempts/<int:attempt_id>/", api.AttemptDetailView.as_view(), name="api-attempt"),
    path("attempts/<int:attempt_id>/submit/", api.AttemptSubmitView.as_view(), name="api-attempt-submit"),
    path("questions/<int:question_id>/", api.QuestionDetailView.as_view(), name="api-question"),
    path("questions/<int:question_id>/regrade/", api.QuestionRegradeView.as_view(), name="api-question-regrade"),
    path("regrades/<int:regrade_id>/", api.RegradeDetailView.as_view(), name="api-regrade"),
]
