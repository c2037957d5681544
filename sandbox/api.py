"""The training-jobs API: assignments, submitting and following jobs, cancelling, score tables."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsInstructor

from . import selectors, services
from .models import Assignment, TrainingJob


class AssignmentSerializer(serializers.Serializer):
    """What a learner sees of an assignment: never the hidden test split or the exercise's parameters."""

    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    instructions = serializers.CharField()
    lesson = serializers.CharField(source="lesson.slug", allow_null=True, default=None)
    is_pro = serializers.BooleanField()
    points = serializers.IntegerField()
    dataset = serializers.JSONField(allow_null=True)
    limits = serializers.JSONField()
    starter_spec = serializers.JSONField(allow_null=True)
    starter_code = serializers.CharField()
    rubric = serializers.JSONField(allow_null=True, help_text="Thresholds and bonus: what earns points.")


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
    response = Response(body, status=exc.status)
    if exc.status == 429:
        from .quotas import QuotaExceeded

        cause = exc.__cause__
        if isinstance(cause, QuotaExceeded) and cause.resets_at is not None:
            body["resets_at"] = cause.resets_at.isoformat()
    return response


class AssignmentListView(APIView):
    """List the assignments I can work on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssignmentSerializer(many=True)}, summary="List assignments")
    def get(self, request):
        return Response(AssignmentSerializer(selectors.assignments_visible(user=request.user), many=True).data)


class AssignmentDetailView(APIView):
    """Read an assignment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssignmentSerializer}, summary="Read an assignment")
    def get(self, request, slug):
        assignment = selectors.assignments_visible(user=request.user).filter(slug=slug).first()
        if assignment is None:
            raise Http404
        return Response(AssignmentSerializer(assignment).data)


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
        if not (request.user.is_staff_member or assignment.created_by_id in (None, request.user.pk)):
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

    @extend_schema(request=JobInput, responses={201: JobSerializer}, summary="Submit a job")
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

    @extend_schema(request=None, responses={200: JobSerializer}, summary="Cancel a job")
    def post(self, request, job_id):
        job = _job_or_404(request, job_id)
        if job.user_id != request.user.pk:
            raise exceptions.PermissionDenied("Only the learner who submitted a job can cancel it.")
        if job.is_finished:
            return Response({"detail": f"The job has already {job.status}.", "code": "finished"}, status=status.HTTP_409_CONFLICT)
        return Response(JobSerializer(services.job_cancel(job=job)).data)
