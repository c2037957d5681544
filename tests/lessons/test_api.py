"""The lessons API: reading by plan and publication, instructor authoring, progress."""

from rest_framework import status

from lessons.models import Course, Lesson


def test_students_list_published_courses_only(api_as, student, course):
    Course.objects.create(title="Hidden", slug="hidden", published=False)
    slugs = [c["slug"] for c in api_as(student).get("/api/v1/courses/").json()]
    assert slugs == ["nn"]


def test_course_detail_lists_published_lessons_with_locks(api_as, student, course):
    body = api_as(student).get("/api/v1/courses/nn/").json()
    assert [(l["slug"], l["locked"]) for l in body["lessons"]] == [("basics", False), ("backprop", True)]


def test_reading_a_free_lesson_returns_its_html(api_client, course):
    body = api_client.get("/api/v1/lessons/basics/").json()
    assert body["course"] == "nn" and "┌" in body["html"] and body["toc"][0]["id"] == "structure"


def test_a_pro_lesson_is_403_for_a_free_student_and_200_for_pro(api_as, student, pro_student, course):
    refused = api_as(student).get("/api/v1/lessons/backprop/")
    assert refused.status_code == status.HTTP_403_FORBIDDEN
    assert "SECRET-PRO-BODY" not in refused.content.decode() and "Pro lesson" in refused.json()["detail"]
    assert "SECRET-PRO-BODY" in api_as(pro_student).get("/api/v1/lessons/backprop/").json()["body"]


def test_drafts_are_404_for_students_through_the_api(api_as, student, course):
    response = api_as(student).get("/api/v1/lessons/draft/")
    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert "DRAFT-BODY-TEXT" not in response.content.decode()


def test_students_cannot_write(api_as, student, course):
    client = api_as(student)
    assert client.patch("/api/v1/lessons/basics/", {"title": "Hacked"}, format="json").status_code == 403
    assert client.post("/api/v1/courses/", {"title": "X", "slug": "x"}, format="json").status_code == 403
    assert client.post("/api/v1/lessons/draft/publish/").status_code == 403
    assert Lesson.objects.get(slug="basics").title == "Basics"


def test_instructor_creates_a_course_and_a_lesson(api_as, instructor):
    client = api_as(instructor)
    created = client.post("/api/v1/courses/", {"title": "CNNs", "slug": "cnns", "summary": "Convolutions"}, format="json")
    assert created.status_code == 201 and created.json()["published"] is False
    lesson = client.post("/api/v1/lessons/", {"course": "cnns", "title": "Kernels", "slug": "kernels",
                                              "body": "## Kernels\n\ntext\n", "is_pro": True}, format="json")
    assert lesson.status_code == 201
    assert lesson.json()["html"].startswith('<h2 id="kernels">') and lesson.json()["is_pro"] is True


def test_instructor_updates_a_lesson_and_sees_the_change(api_as, instructor, course):
    response = api_as(instructor).patch("/api/v1/lessons/basics/", {"body": "## New\n\nnew text\n"}, format="json")
    assert response.status_code == 200 and "new text" in response.json()["html"]
    assert Lesson.objects.get(slug="basics").body == "## New\n\nnew text\n"


def test_duplicate_slug_and_bad_fields_are_400_naming_the_field(api_as, instructor, course):
    client = api_as(instructor)
    dup = client.post("/api/v1/lessons/", {"course": "nn", "title": "Again", "slug": "basics"}, format="json")
    assert dup.status_code == 400 and list(dup.json()["errors"]) == ["slug"]
    bad = client.post("/api/v1/lessons/", {"course": "nope", "title": "T", "slug": "Bad Slug"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"slug"}
    missing_course = client.post("/api/v1/lessons/", {"course": "nope", "title": "T", "slug": "fine"}, format="json")
    assert missing_course.status_code == 400 and list(missing_course.json()["errors"]) == ["course"]
    assert Lesson.objects.count() == 3


def test_reorder_needs_every_lesson_exactly_once(api_as, instructor, course):
    client = api_as(instructor)
    bad = client.post("/api/v1/courses/nn/reorder/", {"lessons": ["basics", "backprop"]}, format="json")
    assert bad.status_code == 400 and "missing draft" in bad.json()["detail"]
    good = client.post("/api/v1/courses/nn/reorder/", {"lessons": ["draft", "backprop", "basics"]}, format="json")
    assert good.status_code == 200
    assert [l["slug"] for l in good.json()["lessons"]] == ["draft", "backprop", "basics"]


def test_publishing_a_draft_makes_it_visible_to_students(api_as, instructor, student, course):
    assert api_as(instructor).post("/api/v1/lessons/draft/publish/").json() == {"slug": "draft", "published": True}
    assert api_as(student).get("/api/v1/lessons/draft/").status_code == 200
    api_as(instructor).post("/api/v1/lessons/draft/unpublish/")
    assert api_as(student).get("/api/v1/lessons/draft/").status_code == 404


def test_my_progress_reports_completion(api_as, student, course):
    client = api_as(student)
    assert client.post("/api/v1/lessons/basics/complete/").status_code == 200
    assert client.post("/api/v1/lessons/backprop/complete/").status_code == 403
    progress = client.get("/api/v1/me/progress/").json()
    assert progress[0]["course"] == "nn" and progress[0]["completion_percent"] == 50
    assert [(l["slug"], l["completed"]) for l in progress[0]["lessons"]] == [("basics", True), ("backprop", False)]
