"""Lesson pages: the catalogue at the site root, courses and lessons."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalogue, name="home"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/complete/", views.lesson_complete, name="lesson-complete"),
]
