"""Lessons API (under /api/v1/) routes."""

urlpatterns = []
