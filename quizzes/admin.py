"""Admin for quizzes: authoring with inline questions and choices, regrades, and a GIFT upload."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from accounts.admin_access import InstructorAccess, InstructorAdmin

from . import grading, services
from .models import Attempt, AttemptAnswer, Choice, Question, Quiz, Regrade, RegradeChange


class QuestionInline(InstructorAccess, admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "kind", "text", "points")
    show_change_link = True


class ChoiceInline(QuestionInline):
    model = Choice
    fields = ("order", "text", "is_correct", "position", "feedback")
    show_change_link = False


class GiftUploadForm(forms.Form):
    file = forms.FileField(label="GIFT file", help_text="UTF-8 text in Moodle's GIFT format.")


@admin.register(Quiz)
class QuizAdmin(InstructorAdmin):
    list_display = ("title", "lesson", "published", "attempts_allowed", "grading_policy", "pass_percent")
    list_filter = ("published", "grading_policy", "review_detail")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ()
    inlines = [QuestionInline]
    change_form_template = "quizzes/admin/quiz_change_form.html"

    def get_urls(self):
        return [
            path("<int:quiz_id>/import-gift/", self.admin_site.admin_view(self.import_gift_view),
                 name="quizzes_quiz_import_gift"),
        ] + super().get_urls()

    def import_gift_view(self, request, quiz_id):
        quiz = get_object_or_404(Quiz, pk=quiz_id)
        if not self.has_change_permission(request, quiz):
            return redirect("admin:index")
        form = GiftUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                problems = ["The file is not UTF-8 text."]
            else:
                try:
                    created, warnings = services.questions_import_gift(quiz=quiz, text=text)
                except services.QuizError as exc:
                    problems = exc.errors.get("file", [exc.message])
                else:
                    for warning in warnings:
                        messages.warning(request, str(warning))
                    messages.success(request, f"Imported {len(created)} question{'s' if len(created) != 1 else ''}.")
                    return redirect(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
        context = {**self.admin_site.each_context(request), "quiz": quiz, "form": form, "problems": problems,
                   "opts": self.model._meta, "title": f"Import GIFT questions into {quiz}"}
        return render(request, "quizzes/admin/import_gift.html", context, status=400 if problems else 200)


@admin.register(Question)
class QuestionAdmin(InstructorAdmin):
    list_display = ("__str__", "quiz", "kind", "points", "order")
    list_filter = ("kind", "quiz")
    search_fields = ("text",)
    inlines = [ChoiceInline]
    actions = ["regrade"]

    def save_model(self, request, obj, form, change):
        # The form offers order 0, which would put a new question before all the others; like the API, add it
        # at the end unless the author chose its place.
        if not change and "order" not in form.changed_data:
            obj.order = services.question_next_order(quiz=obj.quiz)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # The admin edits choices in a formset, after the question is saved: check the whole at the end,
        # and say plainly when the question cannot be graded as it stands.
        super().save_related(request, form, formsets, change)
        question = form.instance
        choices = [{"text": c.text, "is_correct": c.is_correct, "position": c.position} for c in question.choices.all()]
        problems = grading.key_errors(kind=question.kind, choices=choices, key=question.key or {},
                                      rule=question.scoring_rule, points=question.points)
        for field, message in problems:
            self.message_user(request, f"This question cannot be graded yet: {field}: {message}", messages.WARNING)

    @admin.action(description="Regrade every attempt of the selected questions")
    def regrade(self, request, queryset):
        for question in queryset:
            services.regrade_request(question=question, requested_by=request.user)
        self.message_user(request, f"Queued regrades of {queryset.count()} question(s).", messages.SUCCESS)


class AttemptAnswerInline(admin.TabularInline):
    model = AttemptAnswer
    extra = 0
    can_delete = False
    fields = ("position", "question", "response", "points", "max_points")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(InstructorAdmin):
    list_display = ("__str__", "state", "percent", "passed", "started_at", "submitted_at")
    list_filter = ("state", "quiz")
    search_fields = ("user__username", "quiz__title")
    list_select_related = ("user", "quiz")
    readonly_fields = ("quiz", "user", "number", "state", "seed", "started_at", "deadline", "last_saved_at",
                       "submitted_at", "auto_submitted", "score", "max_score", "percent", "passed")
    inlines = [AttemptAnswerInline]

    def has_add_permission(self, request, obj=None):
        return False


class RegradeChangeInline(admin.TabularInline):
    model = RegradeChange
    extra = 0
    can_delete = False
    readonly_fields = ("attempt", "old_points", "new_points", "old_score", "new_score", "old_percent", "new_percent")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Regrade)
class RegradeAdmin(InstructorAdmin):
    list_display = ("__str__", "state", "requested_at", "finished_at", "attempts_regraded", "attempts_changed")
    readonly_fields = ("question", "requested_by", "state", "requested_at", "finished_at", "attempts_regraded",
                       "attempts_changed", "error")
    inlines = [RegradeChangeInline]

    def has_add_permission(self, request, obj=None):
        return False
