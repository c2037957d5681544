"""Lessons API routes, mounted under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("courses/", api.CourseListView.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", api.CourseDetailView.as_view(), name="api-course"),
    path("courses/<slug:slug>/reorder/", api.CourseReorderView.as_view(), name="api-course-reorder"),
    path("courses/<slug:slug>/publish/", api.CoursePublishView.as_view(), name="api-course-publish"),
    path("courses/<slug:slug>/unpublish/", api.CourseUnpublishView.as_view(), name="api-course-unpublish"),
    path("lessons/", api.LessonCreateView.as_view(), name="api-lessons"),
    path("lessons/<slug:slug>/", api.LessonDetailView.as_view(), name="api-lesson"),
    path("lessons/<slug:slug>/publish/", api.LessonPublishView.as_view(), name="api-lesson-publish"),
    path("lessons/<slug:slug>/unpublish/", api.LessonUnpublishView.as_view(), name="api-lesson-unpublish"),
    path("lessons/<slug:slug>/complete/", api.LessonCompleteView.as_view(), name="api-lesson-complete"),
    path("me/progress/", api.MyProgressView.as_view(), name="api-my-progress"),
]
