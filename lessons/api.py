"""The lessons API: courses and lessons for learners (read) and instructors (write), and my progress."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsInstructor

from . import access, selectors, services
from .models import Course, Lesson
from .rendering import render_markdown

SLUG = serializers.RegexField(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100,
                              error_messages={"invalid": "Use lower-case letters, digits and dashes."})


class LessonSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    order = serializers.IntegerField()
    estimated_minutes = serializers.IntegerField()
    is_pro = serializers.BooleanField()
    published = serializers.BooleanField()
    locked = serializers.SerializerMethodField()

    def get_locked(self, lesson) -> bool:
        return not access.lesson_is_unlocked(lesson, self.context["request"].user)


class CourseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField()
    order = serializers.IntegerField()
    published = serializers.BooleanField()


class CourseDetailSerializer(CourseSerializer):
    lessons = LessonSummarySerializer(many=True, source="visible_lessons")


class LessonDetailSerializer(LessonSummarySerializer):
    course = serializers.CharField(source="course.slug")
    prerequisites = serializers.SerializerMethodField()
    body = serializers.CharField()
    html = serializers.SerializerMethodField()
    toc = serializers.SerializerMethodField()

    def get_prerequisites(self, lesson) -> list[str]:
        return [p.slug for p in lesson.prerequisites.all()]

    def get_html(self, lesson) -> str:
        return render_markdown(lesson.body).html

    def get_toc(self, lesson) -> list[dict]:
        return render_markdown(lesson.body).toc


class CourseInput(serializers.Serializer):
    class Meta:
        ref_name = "CourseInput"

    title = serializers.CharField(max_length=200)
    slug = SLUG
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    order = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    published = serializers.BooleanField(required=False)


class LessonInput(serializers.Serializer):
    class Meta:
        ref_name = "LessonInput"

    course = serializers.SlugField(help_text="Slug of the course the lesson belongs to.")
    title = serializers.CharField(max_length=200)
    slug = SLUG
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=500_000)
    order = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    is_pro = serializers.BooleanField(required=False)
    published = serializers.BooleanField(required=False)
    prerequisites = serializers.ListField(child=serializers.SlugField(), required=False, max_length=100)


class ReorderInput(serializers.Serializer):
    class Meta:
        ref_name = "ReorderInput"

    lessons = serializers.ListField(child=serializers.SlugField(), max_length=1000,
                                    help_text="Every lesson slug of the course, in the new order.")


def _content_error(exc):
    return exceptions.ValidationError({name: [message] for name, message in exc.errors.items()})


class ReadOrInstructor(IsInstructor):
    """Anyone may read (what they are allowed to see); only instructors write."""

    def has_permission(self, request, view):
        return request.method in ("GET", "HEAD", "OPTIONS") or super().has_permission(request, view)


def _course_or_404(slug, user):
    course = selectors.course_with_lessons(slug=slug, user=user)
    if course is None:
        raise Http404
    return course


def _course_named(slug):
    """Return the course a lesson is put in, or a 400 naming the ``course`` field."""
    course = Course.objects.filter(slug=slug).first()
    if course is None:
        raise exceptions.ValidationError({"course": ["There is no course with this slug."]})
    return course


def _lesson_or_404(slug, user):
    lesson = selectors.lesson_with_course(slug=slug, user=user)
    if lesson is None:
        raise Http404
    return lesson


class CourseListView(APIView):
    """List the courses I may see; instructors create courses."""

    permission_classes = [ReadOrInstructor]

    @extend_schema(responses={200: CourseSerializer(many=True)}, summary="List courses")
    def get(self, request):
        return Response(CourseSerializer(selectors.courses_for_catalogue(user=request.user), many=True).data)

    @extend_schema(request=CourseInput, responses={201: CourseDetailSerializer}, summary="Create a course")
    def post(self, request):
        data = CourseInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            course = services.course_save(**data.validated_data)
        except services.ContentError as exc:
            raise _content_error(exc) from None
        course = _course_or_404(course.slug, request.user)
        return Response(CourseDetailSerializer(course, context={"request": request}).data, status=status.HTTP_201_CREATED)


class CourseDetailView(APIView):
    """Read a course with its lessons; instructors update or delete it."""

    permission_classes = [ReadOrInstructor]

    @extend_schema(responses={200: CourseDetailSerializer}, summary="Read a course")
    def get(self, request, slug):
        return Response(CourseDetailSerializer(_course_or_404(slug, request.user), context={"request": request}).data)

    @extend_schema(request=CourseInput(partial=True), responses={200: CourseDetailSerializer}, summary="Update a course")
    def patch(self, request, slug):
        course = _course_or_404(slug, request.user)
        data = CourseInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            course = services.course_save(course=course, **data.validated_data)
        except services.ContentError as exc:
            raise _content_error(exc) from None
        course = _course_or_404(course.slug, request.user)
        return Response(CourseDetailSerializer(course, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete a course and its lessons")
    def delete(self, request, slug):
        _course_or_404(slug, request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseReorderView(APIView):
    """Instructors: put a course's lessons in a new order."""

    permission_classes = [IsInstructor]

    @extend_schema(request=ReorderInput, responses={200: CourseDetailSerializer}, summary="Reorder lessons")
    def post(self, request, slug):
        course = _course_or_404(slug, request.user)
        data = ReorderInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.lessons_reorder(course=course, slugs=data.validated_data["lessons"])
        except services.ContentError as exc:
            raise _content_error(exc) from None
        return Response(CourseDetailSerializer(_course_or_404(slug, request.user), context={"request": request}).data)


class _PublishView(APIView):
    permission_classes = [IsInstructor]
    published = True

    def _target(self, slug, user):
        raise NotImplementedError

    def post(self, request, slug):
        target = services.publish_set(obj=self._target(slug, request.user), published=self.published)
        return Response({"slug": target.slug, "published": target.published})


_PUBLISHED = inline_serializer("PublishedState", {"slug": serializers.CharField(), "published": serializers.BooleanField()})


@extend_schema(request=None, responses={200: _PUBLISHED}, summary="Publish a course")
class CoursePublishView(_PublishView):
    def _target(self, slug, user):
        return _course_or_404(slug, user)


@extend_schema(request=None, responses={200: _PUBLISHED}, summary="Unpublish a course")
class CourseUnpublishView(CoursePublishView):
    published = False


class LessonCreateView(APIView):
    """Instructors: add a lesson to a course."""

    permission_classes = [IsInstructor]

    @extend_schema(request=LessonInput, responses={201: LessonDetailSerializer}, summary="Create a lesson")
    def post(self, request):
        data = LessonInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        course = _course_named(fields.pop("course"))
        try:
            lesson = services.lesson_save(course=course, **fields)
        except services.ContentError as exc:
            raise _content_error(exc) from None
        lesson = _lesson_or_404(lesson.slug, request.user)
        return Response(LessonDetailSerializer(lesson, context={"request": request}).data, status=status.HTTP_201_CREATED)


class LessonDetailView(APIView):
    """Read a lesson (drafts only for instructors, Pro bodies only for Pro members); instructors edit it."""

    permission_classes = [ReadOrInstructor]

    @extend_schema(responses={200: LessonDetailSerializer}, summary="Read a lesson")
    def get(self, request, slug):
        lesson = _lesson_or_404(slug, request.user)
        if not access.lesson_is_unlocked(lesson, request.user):
            raise exceptions.PermissionDenied("This is a Pro lesson; redeem a Pro code to read it.")
        return Response(LessonDetailSerializer(lesson, context={"request": request}).data)

    @extend_schema(request=LessonInput(partial=True), responses={200: LessonDetailSerializer}, summary="Update a lesson")
    def patch(self, request, slug):
        lesson = _lesson_or_404(slug, request.user)
        data = LessonInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        course = _course_named(fields.pop("course")) if "course" in fields else None
        try:
            lesson = services.lesson_save(lesson=lesson, course=course, **fields)
        except services.ContentError as exc:
            raise _content_error(exc) from None
        lesson = _lesson_or_404(lesson.slug, request.user)
        return Response(LessonDetailSerializer(lesson, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete a lesson")
    def delete(self, request, slug):
        _lesson_or_404(slug, request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=None, responses={200: _PUBLISHED}, summary="Publish a lesson")
class LessonPublishView(_PublishView):
    def _target(self, slug, user):
        return _lesson_or_404(slug, user)


@extend_schema(request=None, responses={200: _PUBLISHED}, summary="Unpublish a lesson")
class LessonUnpublishView(LessonPublishView):
    published = False


class LessonCompleteView(APIView):
    """Mark a lesson complete for me."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: inline_serializer("Completed", {"slug": serializers.CharField(), "completed_at": serializers.DateTimeField()})}, summary="Complete a lesson")
    def post(self, request, slug):
        lesson = _lesson_or_404(slug, request.user)
        if not access.lesson_is_unlocked(lesson, request.user):
            raise exceptions.PermissionDenied("This is a Pro lesson; redeem a Pro code to read and complete it.")
        row = services.progress_mark_complete(user=request.user, lesson=lesson)
        row.refresh_from_db(fields=["completed_at"])
        return Response({"slug": lesson.slug, "completed_at": row.completed_at})


class ProgressLessonSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    viewed = serializers.BooleanField()
    completed = serializers.BooleanField()
    mastered = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ProgressCourseSerializer(serializers.Serializer):
    course = serializers.CharField()
    title = serializers.CharField()
    completion_percent = serializers.IntegerField()
    lessons = ProgressLessonSerializer(many=True)


class MyProgressView(APIView):
    """My progress in every course: completion % and each lesson's state."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProgressCourseSerializer(many=True)}, summary="My progress")
    def get(self, request):
        return Response(ProgressCourseSerializer(selectors.progress_overview(user=request.user), many=True).data)
