"""The training-jobs API: assignments, submitting and following jobs, cancelling, score tables."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsInstructor
from config.api_schema import ERROR

from . import selectors, services
from .models import Assignment, TrainingJob


class AssignmentSerializer(serializers.Serializer):
    """What a learner sees of an assignment: never the hidden test split or the exercise's parameters."""

    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    instructions = serializers.CharField()
    lesson = serializers.CharField(source="lesson.slug", allow_null=True, default=None)
    is_pro = serializers.BooleanField(help_text="Marked Pro by its author.")
    needs_pro = serializers.BooleanField(
        read_only=True, help_text="Only Pro members may run it: it is marked Pro, or its lesson is.")
    points = serializers.IntegerField()
    dataset = serializers.JSONField(allow_null=True)
    limits = serializers.JSONField()
    starter_spec = serializers.JSONField(allow_null=True)
    starter_code = serializers.CharField()
    rubric = serializers.JSONField(allow_null=True, help_text="Thresholds and bonus: what earns points.")


class AuthorAssignmentSerializer(AssignmentSerializer):
    """The whole assignment, for its author and staff: includes the hidden test split and exercise parameters."""

    published = serializers.BooleanField()
    order = serializers.IntegerField()
    hidden_test = serializers.JSONField(allow_null=True)
    exercise = serializers.CharField()
    exercise_params = serializers.JSONField()


class AssignmentInput(serializers.Serializer):
    class Meta:
        ref_name = "AssignmentInput"

    lesson = serializers.SlugField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    slug = serializers.RegexField(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices)
    is_pro = serializers.BooleanField(required=False)
    published = serializers.BooleanField(required=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=100_000)
    points = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    dataset = serializers.JSONField(required=False, allow_null=True)
    hidden_test = serializers.JSONField(required=False, allow_null=True)
    limits = serializers.JSONField(required=False)
    starter_spec = serializers.JSONField(required=False, allow_null=True)
    rubric = serializers.JSONField(required=False, allow_null=True)
    exercise = serializers.CharField(required=False, allow_blank=True, max_length=50)
    exercise_params = serializers.JSONField(required=False)
    starter_code = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=50_000)


def _save_assignment(request, assignment=None, partial=False):
    from lessons.models import Lesson

    from .authoring import AssignmentError, assignment_save

    data = AssignmentInput(data=request.data, partial=partial)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    lesson = None
    if fields.get("lesson"):
        lesson = Lesson.objects.filter(slug=fields["lesson"]).first()
        if lesson is None:
            raise exceptions.ValidationError({"lesson": ["There is no lesson with this slug."]})
    fields.pop("lesson", None)
    try:
        return assignment_save(assignment=assignment, created_by=request.user, lesson=lesson, **fields)
    except AssignmentError as exc:
        raise exceptions.ValidationError({name: [message] for name, message in exc.errors.items()}) from None


class JobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    user = serializers.CharField(source="user.username")
    assignment = serializers.CharField(source="assignment.slug", allow_null=True, default=None)
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.CharField()
    attempts = serializers.IntegerField()
    spec = serializers.JSONField(allow_null=True)
    code = serializers.CharField()
    progress = serializers.JSONField()
    history = serializers.JSONField()
    result = serializers.JSONField()
    grade = serializers.JSONField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class JobInput(serializers.Serializer):
    class Meta:
        ref_name = "JobInput"

    assignment = serializers.SlugField(required=False, allow_null=True, help_text="Leave out for free play.")
    spec = serializers.JSONField(required=False, help_text="A training spec (see docs/spec.md).")
    code = serializers.CharField(required=False, trim_whitespace=False, allow_blank=True)


def _refused(exc):
    body = {"detail": exc.message, "code": exc.code}
    if exc.errors:
        body["errors"] = {e.get("path") or "spec": [e["message"]] for e in exc.errors}
    if exc.resets_at is not None:
        body["resets_at"] = exc.resets_at.isoformat()
    return Response(body, status=exc.status)


class AssignmentListView(APIView):
    """List the assignments I can work on; instructors create assignments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssignmentSerializer(many=True)}, summary="List assignments")
    def get(self, request):
        return Response(AssignmentSerializer(selectors.assignments_visible(user=request.user), many=True).data)

    @extend_schema(request=AssignmentInput, responses={201: AuthorAssignmentSerializer}, summary="Create an assignment")
    def post(self, request):
        if not request.user.is_instructor:
            raise exceptions.PermissionDenied("Only instructors can create assignments.")
        assignment = _save_assignment(request)
        return Response(AuthorAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentDetailView(APIView):
    """Read an assignment (its author also sees the hidden parts); its author updates it."""

    permission_classes = [IsAuthenticated]

    def _get(self, request, slug):
        assignment = selectors.assignments_visible(user=request.user).filter(slug=slug).first()
        if assignment is None:
            raise Http404
        return assignment

    @extend_schema(responses={200: AssignmentSerializer}, summary="Read an assignment")
    def get(self, request, slug):
        assignment = self._get(request, slug)
        serializer = AuthorAssignmentSerializer if selectors.is_author(user=request.user, assignment=assignment) else AssignmentSerializer
        return Response(serializer(assignment).data)

    @extend_schema(request=AssignmentInput(partial=True), responses={200: AuthorAssignmentSerializer}, summary="Update an assignment")
    def patch(self, request, slug):
        assignment = self._get(request, slug)
        if not selectors.is_author(user=request.user, assignment=assignment):
            raise exceptions.PermissionDenied("Only the assignment's author and staff can change it.")
        assignment = _save_assignment(request, assignment, partial=True)
        return Response(AuthorAssignmentSerializer(assignment).data)


class AssignmentScoresView(APIView):
    """Instructors: each learner's best score and runs on an assignment."""

    permission_classes = [IsInstructor]

    @extend_schema(
        responses={200: inline_serializer("ScoreRow", {"username": serializers.CharField(), "best_score": serializers.FloatField(allow_null=True),
                                                       "runs": serializers.IntegerField(), "last_run": serializers.DateTimeField(),
                                                       "passed": serializers.BooleanField()}, many=True)},
        summary="Score table of an assignment",
    )
    def get(self, request, slug):
        assignment = Assignment.objects.filter(slug=slug).first()
        if assignment is None:
            raise Http404
        if not selectors.is_author(user=request.user, assignment=assignment):
            raise exceptions.PermissionDenied("Only the assignment's author and staff see its scores.")
        return Response(selectors.assignment_scores(assignment=assignment))


class JobListView(APIView):
    """Submit a training job; list my jobs (instructors also see their assignments' jobs)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: JobSerializer(many=True)}, summary="List jobs")
    def get(self, request):
        jobs = selectors.jobs_visible(user=request.user)
        if request.query_params.get("assignment"):
            jobs = jobs.filter(assignment__slug=request.query_params["assignment"])
        return Response(JobSerializer(jobs[:100], many=True).data)

    @extend_schema(
        request=JobInput,
        responses={201: JobSerializer,
                   404: OpenApiResponse(ERROR, description="The assignment is not published."),
                   429: OpenApiResponse(ERROR, description="A plan quota is used up; `resets_at` says until when.")},
        summary="Submit a job",
    )
    def post(self, request):
        data = JobInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        assignment = None
        if fields.get("assignment"):
            assignment = Assignment.objects.filter(slug=fields["assignment"]).first()
            if assignment is None:
                raise exceptions.ValidationError({"assignment": ["There is no assignment with this slug."]})
        try:
            job = services.job_submit(user=request.user, assignment=assignment, spec=fields.get("spec"), code=fields.get("code"))
        except services.JobRefused as exc:
            return _refused(exc)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)


def _job_or_404(request, job_id):
    job = selectors.job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    return job


class JobDetailView(APIView):
    """Follow a job: status, live progress and curve, then the result and grade."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: JobSerializer}, summary="Read a job")
    def get(self, request, job_id):
        return Response(JobSerializer(_job_or_404(request, job_id)).data)


class JobCancelView(APIView):
    """Cancel my job."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None,
                   responses={200: JobSerializer, 409: OpenApiResponse(ERROR, description="The job has already finished.")},
                   summary="Cancel a job")
    def post(self, request, job_id):
        try:
            job = services.job_cancel(job=_job_or_404(request, job_id), user=request.user)
        except services.JobRefused as exc:
            return _refused(exc)
        return Response(JobSerializer(job).data)
