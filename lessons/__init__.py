"""Lessons: courses, lesson pages, progress and Pro gating."""
