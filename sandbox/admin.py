"""Admin for training assignments and jobs."""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accounts.admin_access import InstructorAdmin
from lessons.admin import publish, unpublish

from .authoring import ASSIGNMENT_FIELDS, AssignmentError, check_assignment
from .models import Assignment, TrainingJob, WorkerProbe


class AssignmentForm(admin.ModelAdmin.form):
    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned.get(name, getattr(self.instance, name)) for name in ASSIGNMENT_FIELDS}
        try:
            check_assignment(fields)
        except AssignmentError as exc:
            raise ValidationError({name if name in self.fields else NON_FIELD_ERRORS: message for name, message in exc.errors.items()})
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(InstructorAdmin):
    form = AssignmentForm
    list_display = ("title", "kind", "lesson", "points", "is_pro", "published", "created_by")
    list_filter = ("kind", "published", "is_pro")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = [publish, unpublish]
    fieldsets = (
        (None, {"fields": ("lesson", "title", "slug", "kind", "instructions", "points", "order", "is_pro", "published")}),
        ("Network configuration", {"fields": ("dataset", "hidden_test", "limits", "starter_spec", "rubric")}),
        ("Code exercise", {"fields": ("exercise", "exercise_params", "starter_code")}),
        ("History", {"fields": ("created_by", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TrainingJob)
class TrainingJobAdmin(InstructorAdmin):
    list_display = ("id", "user", "assignment", "kind", "status", "reason", "score", "attempts", "created_at")
    list_filter = ("status", "kind", "assignment")
    search_fields = ("user__username", "id")
    list_select_related = ("user", "assignment")
    readonly_fields = [f.name for f in TrainingJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        jobs = super().get_queryset(request)
        return jobs if request.user.is_staff_member else jobs.filter(assignment__created_by=request.user)


@admin.register(WorkerProbe)
class WorkerProbeAdmin(InstructorAdmin):
    list_display = ("hostname", "code_allowed", "updated_at")
    readonly_fields = ("hostname", "layers", "code_allowed", "updated_at")

    def has_add_permission(self, request):
        return False
