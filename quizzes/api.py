"""The quizzes API: learners take quizzes; instructors author them, read analytics, regrade and import GIFT."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsInstructor
from config.api_schema import ERROR
from lessons.models import Lesson

from . import selectors, services
from .models import Attempt, Question, Quiz, Regrade


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the state of the attempt."
    default_code = "conflict"


def api_error(exc):
    """Return the DRF exception for a services.QuizError, keeping its message and code."""
    if exc.status == 404:
        return exceptions.NotFound(exc.message, code=exc.code)
    if exc.status == 403:
        return exceptions.PermissionDenied(exc.message, code=exc.code)
    if exc.status == 409:
        return Conflict(exc.message, code=exc.code)
    return exceptions.ValidationError(exc.errors or {"non_field_errors": [exc.message]})


def _quiz_or_404(quiz_id):
    try:
        return selectors.quiz_get(quiz_id=quiz_id)
    except services.QuizError as exc:
        raise api_error(exc) from None


def _quiz_for(request, quiz_id):
    quiz = selectors.quiz_get(quiz_id=quiz_id)
    services.quiz_check_access(quiz=quiz, user=request.user)
    return quiz


# --- serializers --------------------------------------------------------------------------------------------


class QuizSummarySerializer(serializers.Serializer):
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    open_attempt_id = serializers.IntegerField(allow_null=True)
    grade_percent = serializers.FloatField(allow_null=True, help_text="The grade over attempts, by the grading policy.")
    passed = serializers.BooleanField(allow_null=True)


class QuizSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    lesson = serializers.IntegerField(source="lesson_id", allow_null=True)
    lesson_title = serializers.CharField(source="lesson.title", allow_null=True, default=None)
    published = serializers.BooleanField()
    question_count = serializers.IntegerField(help_text="Questions in the pool.")
    questions_per_attempt = serializers.SerializerMethodField()
    attempts_allowed = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    grading_policy = serializers.CharField()
    pass_percent = serializers.FloatField()
    shuffle_questions = serializers.BooleanField()
    shuffle_choices = serializers.BooleanField()
    draw_count = serializers.IntegerField(allow_null=True)
    time_limit_seconds = serializers.IntegerField(allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    review_detail = serializers.CharField()
    review_when = serializers.CharField()

    def get_questions_per_attempt(self, quiz) -> int:
        count = getattr(quiz, "question_count", 0)
        return min(count, quiz.draw_count) if quiz.draw_count else count


class QuizDetailSerializer(QuizSerializer):
    me = QuizSummarySerializer(help_text="The current user's attempts at this quiz.")


class QuizWriteSerializer(serializers.ModelSerializer):
    lesson = serializers.PrimaryKeyRelatedField(queryset=Lesson.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Quiz
        ref_name = "QuizWriteInput"
        fields = list(services.QUIZ_FIELDS)
        extra_kwargs = {
            "slug": {"required": False},
            "pass_percent": {"min_value": 0, "max_value": 100},
            "attempts_allowed": {"min_value": 1},
            "draw_count": {"min_value": 1},
            "time_limit_seconds": {"min_value": 1},
        }

    def validate(self, data):
        def current(name):
            return data[name] if name in data else getattr(self.instance, name, None)

        opens, closes = current("opens_at"), current("closes_at")
        if opens and closes and closes <= opens:
            raise serializers.ValidationError({"closes_at": ["The quiz must close after it opens."]})
        if current("review_when") == Quiz.ReviewWhen.AFTER_CLOSE and not closes:
            raise serializers.ValidationError({"closes_at": ["A review shown after the quiz closes needs a closing time."]})
        return data


# Kinds are documented as text, not as an OpenAPI enum: another app's "kind" enum would collide by name.
KIND_HELP = "One of: " + ", ".join(f"{value} ({label})" for value, label in Question.Kind.choices) + "."


class ChoiceShownSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="An opaque id: it says nothing about correctness.")
    text = serializers.CharField()


class AttemptQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The question's place in this attempt, from 1.")
    kind = serializers.CharField(help_text=KIND_HELP)
    text = serializers.CharField()
    points = serializers.FloatField()
    scoring = serializers.CharField(help_text="How the question is scored, partial credit included.")
    choices = ChoiceShownSerializer(many=True)
    answer = serializers.JSONField(
        allow_null=True,
        help_text='The saved answer: "<choice id>" (single, true_false), ["<id>", ...] (multiple; ordering: '
        "every item in order), a number (numeric), text (short_text), or null.",
    )


class ReviewChoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    is_correct = serializers.BooleanField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    feedback = serializers.CharField()


class ReviewItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    points_awarded = serializers.FloatField(allow_null=True)
    max_points = serializers.FloatField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    correct_answer = serializers.JSONField(required=False, help_text="Full review only.")
    explanation = serializers.CharField(required=False, help_text="Full review only.")
    choices = ReviewChoiceSerializer(many=True, required=False, help_text="Full review only.")


class AttemptResultSerializer(serializers.Serializer):
    score = serializers.FloatField()
    max_score = serializers.FloatField()
    percent = serializers.FloatField()
    passed = serializers.BooleanField()
    pass_percent = serializers.FloatField()
    review = serializers.ChoiceField(choices=["score", "correctness", "full"], help_text="What the review policy shows now.")
    quiz_grade_percent = serializers.FloatField(allow_null=True)
    quiz_passed = serializers.BooleanField()
    questions = ReviewItemSerializer(many=True, allow_null=True)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField()
    quiz_title = serializers.CharField()
    user = serializers.CharField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=Attempt.State.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    last_saved_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    auto_submitted = serializers.BooleanField()
    questions = AttemptQuestionSerializer(many=True)
    result = AttemptResultSerializer(allow_null=True)


class AttemptListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)


class AnswersInputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AttemptAnswersInput"

    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="Question id -> answer (see the attempt's questions for the shapes); null clears an answer.",
    )


class SubmitInputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "AttemptSubmitInput"

    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False,
                                    help_text="Optional last answers, saved before grading.")


class ChoiceAuthorSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Give it to keep an existing choice; leave out for a new one.")
    text = serializers.CharField(max_length=500)
    is_correct = serializers.BooleanField(default=False)
    position = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="Ordering: right place.")
    feedback = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "QuizChoiceAuthor"


class QuestionAuthorSerializer(serializers.Serializer):
    """A question with its key: for instructors only."""

    class Meta:
        ref_name = "QuizQuestionAuthor"

    id = serializers.IntegerField(read_only=True)
    quiz = serializers.IntegerField(source="quiz_id", read_only=True)
    kind = serializers.ChoiceField(choices=Question.Kind.choices, help_text=KIND_HELP)
    text = serializers.CharField()
    points = serializers.FloatField(min_value=0, default=1.0)
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    scoring_rule = serializers.CharField(required=False, allow_blank=True, default="",
                                         help_text="multiple: right_minus_wrong | all_or_nothing; "
                                         "ordering: positions | adjacent_pairs | all_or_nothing.")
    key = serializers.JSONField(required=False, default=dict,
                                help_text='numeric: {"answers": [{"value", "tolerance", "mode", "fraction"}]}; '
                                'short_text: {"answers": [{"text", "fraction"}], "patterns": [{"regex", "fraction"}], '
                                '"case_sensitive"}; true_false may give {"answer": true} instead of choices.')
    order = serializers.IntegerField(required=False, min_value=0)
    choices = ChoiceAuthorSerializer(many=True, required=False)

    def to_representation(self, question):
        return {
            "id": question.pk, "quiz": question.quiz_id, "kind": question.kind, "text": question.text,
            "points": question.points, "explanation": question.explanation, "scoring_rule": question.scoring_rule,
            "key": question.key, "order": question.order,
            "choices": [{"id": c.uid, "text": c.text, "is_correct": c.is_correct, "position": c.position,
                         "feedback": c.feedback} for c in question.choices.all()],
        }


class RegradeChangeSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="attempt_id")
    old_points = serializers.FloatField()
    new_points = serializers.FloatField()
    old_score = serializers.FloatField()
    new_score = serializers.FloatField()
    old_percent = serializers.FloatField()
    new_percent = serializers.FloatField()


class RegradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id")
    state = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts_regraded = serializers.IntegerField()
    attempts_changed = serializers.IntegerField()
    error = serializers.CharField()


class RegradeDetailSerializer(RegradeSerializer):
    changes = RegradeChangeSerializer(many=True, source="changes.all")


_CHOICE_PICKS = inline_serializer("QuizStatsChoice", {
    "id": serializers.CharField(), "text": serializers.CharField(), "is_correct": serializers.BooleanField(),
    "count": serializers.IntegerField()}, many=True, allow_null=True)
_STATS_ITEM = inline_serializer("QuizStatsQuestion", {
    "id": serializers.IntegerField(), "kind": serializers.CharField(), "text": serializers.CharField(),
    "attempts": serializers.IntegerField(), "unanswered": serializers.IntegerField(),
    "mean_points": serializers.FloatField(allow_null=True), "max_points": serializers.FloatField(),
    "facility_index": serializers.FloatField(allow_null=True),
    "discrimination_index": serializers.FloatField(allow_null=True),
    "choices": _CHOICE_PICKS}, many=True)
_STATS = inline_serializer("QuizStats", {
    "quiz": serializers.IntegerField(), "which": serializers.CharField(), "attempts": serializers.IntegerField(),
    "learners": serializers.IntegerField(), "mean_percent": serializers.FloatField(allow_null=True),
    "pass_rate": serializers.FloatField(allow_null=True),
    "distribution": inline_serializer("QuizStatsBand", {"from": serializers.FloatField(), "to": serializers.FloatField(),
                                                        "count": serializers.IntegerField()}, many=True),
    "questions": _STATS_ITEM})
_WHICH = OpenApiParameter("attempts", str, enum=["all", "first", "last"], default="all",
                          description="Which attempts count: all, or each learner's first or last.")


def _which(request):
    which = request.query_params.get("attempts", "all")
    if which not in ("all", "first", "last"):
        raise exceptions.ValidationError({"attempts": ["Use all, first or last."]})
    return which


# --- learner views ------------------------------------------------------------------------------------------


class QuizListCreateView(APIView):
    """List the quizzes I may take (instructors: all); instructors create quizzes."""

    def get_permissions(self):
        return [IsInstructor()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses={200: QuizSerializer(many=True)}, summary="List quizzes")
    def get(self, request):
        quizzes = selectors.quizzes_visible_to(user=request.user)
        return Response(QuizSerializer(quizzes, many=True).data)

    @extend_schema(request=QuizWriteSerializer, responses={201: QuizSerializer, 400: ERROR}, summary="Create a quiz")
    def post(self, request):
        data = QuizWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quiz = services.quiz_create(created_by=request.user, **data.validated_data)
        return Response(QuizSerializer(selectors.quiz_get(quiz_id=quiz.pk)).data, status=status.HTTP_201_CREATED)


class QuizDetailView(APIView):
    """A quiz's settings and my attempts at it; instructors change or delete it."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "GET" else [IsInstructor()]

    @extend_schema(responses={200: QuizDetailSerializer, 403: ERROR, 404: ERROR}, summary="Read a quiz")
    def get(self, request, quiz_id):
        try:
            quiz = _quiz_for(request, quiz_id)
        except services.QuizError as exc:
            raise api_error(exc) from None
        quiz.me = selectors.quiz_summary_for(quiz=quiz, user=request.user)
        return Response(QuizDetailSerializer(quiz).data)

    @extend_schema(request=QuizWriteSerializer, responses={200: QuizSerializer, 400: ERROR, 404: ERROR},
                   summary="Change a quiz")
    def patch(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        data = QuizWriteSerializer(quiz, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.quiz_update(quiz=quiz, **data.validated_data)
        return Response(QuizSerializer(_quiz_or_404(quiz_id)).data)

    @extend_schema(responses={204: None, 404: ERROR}, summary="Delete a quiz")
    def delete(self, request, quiz_id):
        _quiz_or_404(quiz_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizAttemptsView(APIView):
    """My attempts at a quiz; start one (or get back the one still open)."""

    @extend_schema(responses={200: AttemptListItemSerializer(many=True), 403: ERROR, 404: ERROR},
                   summary="List my attempts at a quiz")
    def get(self, request, quiz_id):
        try:
            quiz = _quiz_for(request, quiz_id)
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(AttemptListItemSerializer(selectors.attempts_of(quiz=quiz, user=request.user), many=True).data)

    @extend_schema(
        request=None,
        responses={201: AttemptSerializer, 200: OpenApiResponse(AttemptSerializer, description="The open attempt"),
                   403: ERROR, 404: ERROR, 409: ERROR},
        summary="Start an attempt",
    )
    def post(self, request, quiz_id):
        try:
            quiz = selectors.quiz_get(quiz_id=quiz_id)
            attempt, created = services.attempt_start(quiz=quiz, user=request.user)
        except services.QuizError as exc:
            raise api_error(exc) from None
        body = selectors.attempt_view(attempt=selectors.attempt_get(attempt_id=attempt.pk), viewer=request.user)
        return Response(AttemptSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _own_attempt(request, attempt_id, *, allow_instructor=False, with_answers=True):
    return selectors.attempt_for(attempt_id=attempt_id, user=request.user, allow_instructor=allow_instructor,
                                 with_answers=with_answers)


class AttemptDetailView(APIView):
    """Read an attempt (instructors may read anyone's); save answers to my open attempt."""

    @extend_schema(responses={200: AttemptSerializer, 403: ERROR, 404: ERROR}, summary="Read an attempt")
    def get(self, request, attempt_id):
        try:
            attempt = _own_attempt(request, attempt_id, allow_instructor=True)
            if services.attempt_close_if_overdue(attempt=attempt):
                attempt = selectors.attempt_get(attempt_id=attempt_id)
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(AttemptSerializer(selectors.attempt_view(attempt=attempt, viewer=request.user)).data)

    @extend_schema(request=AnswersInputSerializer,
                   responses={200: AttemptSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
                   summary="Save answers")
    def patch(self, request, attempt_id):
        data = AnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attempt = _own_attempt(request, attempt_id)
            services.attempt_save(attempt=attempt, user=request.user, answers=data.validated_data["answers"])
        except services.QuizError as exc:
            raise api_error(exc) from None
        attempt = selectors.attempt_get(attempt_id=attempt_id)
        return Response(AttemptSerializer(selectors.attempt_view(attempt=attempt, viewer=request.user)).data)


class AttemptSubmitView(APIView):
    """Submit my attempt: it is graded once, and the answer says what the review policy shows."""

    @extend_schema(request=SubmitInputSerializer,
                   responses={200: AttemptSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
                   summary="Submit an attempt")
    def post(self, request, attempt_id):
        data = SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attempt = _own_attempt(request, attempt_id, with_answers=False)
            attempt = services.attempt_submit(attempt=attempt, user=request.user,
                                              answers=data.validated_data.get("answers"))
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(AttemptSerializer(selectors.attempt_view(attempt=attempt, viewer=request.user)).data)


# --- instructor views ---------------------------------------------------------------------------------------


def _question(question_id):
    try:
        return Question.objects.select_related("quiz").prefetch_related("choices").get(pk=question_id)
    except Question.DoesNotExist:
        raise exceptions.NotFound("No question with this id.") from None


class QuizQuestionsView(APIView):
    """Instructors: a quiz's questions with their keys; add a question."""

    permission_classes = [IsInstructor]

    @extend_schema(responses={200: QuestionAuthorSerializer(many=True), 404: ERROR}, summary="List a quiz's questions")
    def get(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        return Response(QuestionAuthorSerializer(selectors.questions_of(quiz=quiz), many=True).data)

    @extend_schema(request=QuestionAuthorSerializer, responses={201: QuestionAuthorSerializer, 400: ERROR},
                   summary="Add a question")
    def post(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        data = QuestionAuthorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for choice in fields.get("choices", []):
            choice.pop("id", None)
        try:
            question = services.question_create(quiz=quiz, **fields)
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(QuestionAuthorSerializer(_question(question.pk)).data, status=status.HTTP_201_CREATED)


class QuestionDetailView(APIView):
    """Instructors: read, change or delete a question (fix a key, then request a regrade)."""

    permission_classes = [IsInstructor]

    @extend_schema(responses={200: QuestionAuthorSerializer, 404: ERROR}, summary="Read a question")
    def get(self, request, question_id):
        return Response(QuestionAuthorSerializer(_question(question_id)).data)

    @extend_schema(request=QuestionAuthorSerializer, responses={200: QuestionAuthorSerializer, 400: ERROR, 404: ERROR},
                   summary="Change a question")
    def patch(self, request, question_id):
        question = _question(question_id)
        data = QuestionAuthorSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            services.question_update(question=question, **data.validated_data)
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(QuestionAuthorSerializer(_question(question_id)).data)

    @extend_schema(responses={204: None, 404: ERROR, 409: ERROR}, summary="Delete a question")
    def delete(self, request, question_id):
        try:
            services.question_delete(question=_question(question_id))
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionRegradeView(APIView):
    """Instructors: re-score every graded attempt of a question with its current key, in the background."""

    permission_classes = [IsInstructor]

    @extend_schema(request=None, responses={202: RegradeSerializer, 404: ERROR}, summary="Regrade a question")
    def post(self, request, question_id):
        regrade = services.regrade_request(question=_question(question_id), requested_by=request.user)
        return Response(RegradeSerializer(regrade).data, status=status.HTTP_202_ACCEPTED)


class RegradeDetailView(APIView):
    """Instructors: a regrade's state and every attempt's old and new scores."""

    permission_classes = [IsInstructor]

    @extend_schema(responses={200: RegradeDetailSerializer, 404: ERROR}, summary="Read a regrade")
    def get(self, request, regrade_id):
        try:
            regrade = Regrade.objects.prefetch_related("changes").get(pk=regrade_id)
        except Regrade.DoesNotExist:
            raise exceptions.NotFound("No regrade with this id.") from None
        return Response(RegradeDetailSerializer(regrade).data)


class QuizStatsView(APIView):
    """Instructors: item analytics and the distribution of scores."""

    permission_classes = [IsInstructor]

    @extend_schema(parameters=[_WHICH], responses={200: _STATS, 400: ERROR, 404: ERROR}, summary="Quiz statistics")
    def get(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        return Response(selectors.quiz_stats(quiz=quiz, which=_which(request)))


class QuizExportView(APIView):
    """Instructors: the graded attempts of a quiz as CSV, points per question."""

    permission_classes = [IsInstructor]

    @extend_schema(parameters=[_WHICH], responses={(200, "text/csv"): OpenApiTypes.STR, 404: ERROR},
                   summary="Export attempts (CSV)")
    def get(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        response = HttpResponse(selectors.attempts_export_csv(quiz=quiz, which=_which(request)),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-attempts.csv"'
        return response


class QuizImportGiftView(APIView):
    """Instructors: add the questions of a GIFT text to a quiz: all of them, or none with each problem by line."""

    permission_classes = [IsInstructor]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "QuizGiftImportInput"

        text = serializers.CharField(max_length=1_000_000, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={201: inline_serializer("QuizGiftImported", {
            "imported": serializers.IntegerField(), "questions": serializers.ListField(child=serializers.IntegerField()),
            "warnings": serializers.ListField(child=serializers.CharField())}), 400: ERROR, 404: ERROR},
        summary="Import GIFT questions",
    )
    def post(self, request, quiz_id):
        quiz = _quiz_or_404(quiz_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            created, warnings = services.questions_import_gift(quiz=quiz, text=data.validated_data["text"])
        except services.QuizError as exc:
            raise api_error(exc) from None
        return Response({"imported": len(created), "questions": [q.pk for q in created],
                         "warnings": [str(w) for w in warnings]}, status=status.HTTP_201_CREATED)
