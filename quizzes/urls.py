"""Quizzes pages routes."""

urlpatterns = []
