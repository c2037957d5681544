"""Admin for courses and lessons: an inline lesson list, publish actions, and a live preview of the body."""

from django.contrib import admin, messages
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.admin_access import InstructorAccess, InstructorAdmin

from . import services
from .models import Course, Lesson, LessonProgress
from .rendering import render_markdown


@admin.action(description="Publish the selected items")
def publish(modeladmin, request, queryset):
    for obj in queryset:
        services.publish_set(obj=obj, published=True)
    modeladmin.message_user(request, f"Published {queryset.count()} item(s).", messages.SUCCESS)


@admin.action(description="Unpublish the selected items")
def unpublish(modeladmin, request, queryset):
    for obj in queryset:
        services.publish_set(obj=obj, published=False)
    modeladmin.message_user(request, f"Unpublished {queryset.count()} item(s).", messages.SUCCESS)


class LessonInline(InstructorAccess, admin.TabularInline):
    model = Lesson
    fields = ("order", "title", "slug", "estimated_minutes", "is_pro", "published")
    extra = 0
    show_change_link = True
    ordering = ("order", "id")


@admin.register(Course)
class CourseAdmin(InstructorAdmin):
    list_display = ("title", "slug", "order", "published", "updated_at")
    list_editable = ("order",)
    list_filter = ("published",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [LessonInline]
    actions = [publish, unpublish]


@admin.register(Lesson)
class LessonAdmin(InstructorAdmin):
    list_display = ("title", "course", "order", "is_pro", "published", "updated_at")
    list_filter = ("course", "published", "is_pro")
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("prerequisites",)
    readonly_fields = ("rendered_body",)
    actions = [publish, unpublish]
    fieldsets = (
        (None, {"fields": ("course", "title", "slug", "summary", "order", "estimated_minutes", "is_pro", "published")}),
        ("Body", {"fields": ("body", "rendered_body"), "description": "Markdown. The preview updates as you type."}),
        ("Prerequisites", {"fields": ("prerequisites",), "classes": ("collapse",)}),
    )

    class Media:
        css = {"all": ("css/site.css",)}
        js = ("lessons/admin-preview.js",)

    @admin.display(description="Preview (as saved)")
    def rendered_body(self, obj):
        html = render_markdown(obj.body).html if obj and obj.pk else ""
        url = reverse("admin:lessons_lesson_preview")
        return format_html('<div id="lesson-preview" class="prose" data-preview-url="{}">{}</div>', url, _safe(html))

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [path("preview/", preview, name="lessons_lesson_preview")] + super().get_urls()

    def preview_view(self, request, *args, **kwargs):
        """Render posted Markdown the way the lesson page will (for the live preview)."""
        if not self.has_module_permission(request):
            return JsonResponse({"detail": "Only instructors can preview lessons."}, status=403)
        body = request.POST.get("body", "")
        if len(body) > 500_000:
            return JsonResponse({"detail": "The body is longer than 500,000 characters."}, status=400)
        rendered = render_markdown(body)
        return JsonResponse({"html": rendered.html, "toc": rendered.toc})


def _safe(html):
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # already sanitized by nh3 in render_markdown


@admin.register(LessonProgress)
class LessonProgressAdmin(InstructorAdmin):
    list_display = ("user", "lesson", "first_viewed_at", "completed_at", "mastered_at")
    list_filter = ("lesson__course",)
    search_fields = ("user__username", "lesson__title")
    list_select_related = ("user", "lesson")

    def has_change_permission(self, request, obj=None):
        return False

    has_add_permission = has_change_permission
