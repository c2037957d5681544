"""Lessons pages routes."""

urlpatterns = []
