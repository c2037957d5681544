"""The admin for courses and lessons: an instructor edits a lesson and the page changes; live preview."""

from django.urls import reverse

from lessons.models import Lesson


def test_instructor_edits_a_lesson_in_the_admin_and_the_page_changes(client, instructor, course):
    client.force_login(instructor)
    lesson = Lesson.objects.get(slug="basics")
    url = reverse("admin:lessons_lesson_change", args=[lesson.pk])
    form = client.get(url)
    assert form.status_code == 200 and "lesson-preview" in form.content.decode()
    data = {
        "course": lesson.course_id, "title": "Basics, revised", "slug": "basics", "summary": lesson.summary,
        "order": 1, "estimated_minutes": 12, "published": "on", "body": "## Revised\n\nEDITED-IN-ADMIN\n",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("lesson", args=["basics"])).content.decode()
    assert "EDITED-IN-ADMIN" in page and "Basics, revised" in page


def test_admin_preview_renders_sanitized_markdown(client, instructor, db):
    client.force_login(instructor)
    response = client.post(reverse("admin:lessons_lesson_preview"), {"body": "## Hi\n\n<script>x</script>┌─┐"})
    assert response.status_code == 200
    assert response.json()["html"] == '<h2 id="hi">Hi</h2>\n┌─┐'


def test_students_cannot_use_the_admin_preview(client, student):
    client.force_login(student)
    response = client.post(reverse("admin:lessons_lesson_preview"), {"body": "x"})
    assert response.status_code == 302  # sent to the admin login


def test_publish_action_in_the_admin(client, instructor, course):
    client.force_login(instructor)
    draft = Lesson.objects.get(slug="draft")
    client.post(reverse("admin:lessons_lesson_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.published is True
