"""Lesson pages: catalogue, course page with progress and Pro locks, lesson page, completion, query counts."""

from django.urls import reverse

from lessons import services
from lessons.models import LessonProgress

from .conftest import DIAGRAM_CHARS


def test_lesson_page_declares_utf8_and_shows_the_diagram_intact(client, course):
    response = client.get(reverse("lesson", args=["basics"]))
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode("utf-8")
    assert '<meta charset="utf-8">' in page
    for char in DIAGRAM_CHARS:
        assert char in page
    assert '<a href="#structure">Structure</a>' in page  # table of contents


def test_catalogue_lists_published_courses_only(client, course):
    services.course_save(title="Hidden course", slug="hidden", published=False)
    page = client.get(reverse("home")).content.decode()
    assert "Neural Networks" in page and "Hidden course" not in page
    assert "2 lessons" in page  # the draft lesson is not counted


def test_drafts_never_reach_students(client, student, course):
    client.force_login(student)
    assert client.get(reverse("lesson", args=["draft"])).status_code == 404
    course_page = client.get(reverse("course", args=["nn"])).content.decode()
    assert "Draft one" not in course_page
    services.publish_set(obj=course, published=False)
    assert client.get(reverse("course", args=["nn"])).status_code == 404
    assert client.get(reverse("lesson", args=["basics"])).status_code == 404


def test_instructors_see_drafts(client, instructor, course):
    client.force_login(instructor)
    response = client.get(reverse("lesson", args=["draft"]))
    assert response.status_code == 200 and "DRAFT-BODY-TEXT" in response.content.decode()


def test_pro_lesson_is_locked_for_a_free_student_with_title_visible(client, student, course):
    client.force_login(student)
    page = client.get(reverse("lesson", args=["backprop"])).content.decode()
    assert "Backprop" in page and "Gradients" in page
    assert "SECRET-PRO-BODY" not in page
    assert "This is a Pro lesson" in page and reverse("redeem") in page
    course_page = client.get(reverse("course", args=["nn"])).content.decode()
    assert 'data-testid="locked"' in course_page and "Upgrade to Pro" in course_page
    assert not LessonProgress.objects.filter(user=student, lesson__slug="backprop").exists()


def test_pro_lesson_is_locked_for_anonymous_visitors(client, course):
    page = client.get(reverse("lesson", args=["backprop"])).content.decode()
    assert "SECRET-PRO-BODY" not in page and "Pro Login" in page


def test_pro_member_reads_the_pro_lesson(client, pro_student, course):
    client.force_login(pro_student)
    page = client.get(reverse("lesson", args=["backprop"])).content.decode()
    assert "SECRET-PRO-BODY" in page and "This is a Pro lesson" not in page


def test_viewing_records_progress_and_completing_ticks_the_course(client, student, course):
    client.force_login(student)
    client.get(reverse("lesson", args=["basics"]))
    row = LessonProgress.objects.get(user=student, lesson__slug="basics")
    assert row.first_viewed_at is not None and row.completed_at is None
    response = client.post(reverse("lesson-complete", args=["basics"]))
    assert response["Location"] == reverse("lesson", args=["backprop"])
    row.refresh_from_db()
    assert row.completed_at is not None
    course_page = client.get(reverse("course", args=["nn"])).content.decode()
    assert "50% complete" in course_page and "✓" in course_page


def test_completing_a_locked_lesson_is_refused(client, student, course):
    client.force_login(student)
    client.post(reverse("lesson-complete", args=["backprop"]))
    assert not LessonProgress.objects.filter(user=student, lesson__slug="backprop", completed_at__isnull=False).exists()


def test_previous_and_next_links_skip_drafts(client, pro_student, course):
    client.force_login(pro_student)
    page = client.get(reverse("lesson", args=["backprop"])).content.decode()
    assert f'rel="prev" href="{reverse("lesson", args=["basics"])}"' in page
    assert 'rel="next"' not in page


def _add_lessons(course, count):
    for index in range(count):
        services.lesson_save(course=course, title=f"Extra {index}", slug=f"extra-{course.lessons.count()}-{index}",
                             order=10 + index, published=True, body="## Part\n\ntext\n")


def _queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_lesson_course_and_catalogue_pages_run_a_fixed_number_of_queries(client, student, course, django_assert_max_num_queries):
    client.force_login(student)
    urls = [reverse("home"), reverse("course", args=["nn"]), reverse("lesson", args=["basics"])]
    for url in urls:  # the first view of a lesson creates its progress row
        client.get(url)
    few = [_queries(client, url, django_assert_max_num_queries) for url in urls]
    _add_lessons(course, 20)
    for index in range(5):
        services.course_save(title=f"Course {index}", slug=f"course-{index}", published=True)
    many = [_queries(client, url, django_assert_max_num_queries) for url in urls]
    assert few == many
    assert max(many) <= 12


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_lesson_page_query_count_is_pinned_and_a_repeat_view_writes_nothing(client, student, course,
                                                                            django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(student)
    url = reverse("lesson", args=["basics"])
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    assert len(_writes(first)) == 1  # the progress row
    # Session, user, lesson with course and progress, prerequisites, neighbours, quizzes, assignments.
    with django_assert_max_num_queries(7) as repeat:
        assert client.get(url).status_code == 200
    assert _writes(repeat.captured_queries) == []
    assert LessonProgress.objects.filter(user=student, lesson__slug="basics").count() == 1


def test_a_repeat_view_moves_last_viewed_only_after_the_resolution(student, course):
    from datetime import timedelta

    from django.utils import timezone

    lesson = course.lessons.get(slug="basics")
    start = timezone.now()
    services.progress_record_view(user=student, lesson=lesson, now=start)
    services.progress_record_view(user=student, lesson=lesson, now=start + timedelta(minutes=5))
    row = LessonProgress.objects.get(user=student, lesson=lesson)
    assert row.first_viewed_at == start and row.last_viewed_at == start
    later = start + services.LAST_VIEWED_RESOLUTION + timedelta(seconds=1)
    returned = services.progress_record_view(user=student, lesson=lesson, now=later)
    row.refresh_from_db()
    assert row.first_viewed_at == start and row.last_viewed_at == later
    assert returned.last_viewed_at == later


def test_viewing_a_lesson_completed_before_keeps_its_completion_and_records_the_view(student, course):
    from datetime import timedelta

    from django.utils import timezone

    lesson = course.lessons.get(slug="basics")
    done = timezone.now() - timedelta(days=1)
    services.progress_mark_mastered(user=student, lesson=lesson, now=done)
    row = LessonProgress.objects.get(user=student, lesson=lesson)
    assert row.first_viewed_at is None and row.completed_at == done and row.mastered_at == done
    now = timezone.now()
    returned = services.progress_record_view(user=student, lesson=lesson, now=now)
    row.refresh_from_db()
    assert row.first_viewed_at == now and row.completed_at == done and row.mastered_at == done
    assert returned.completed_at == done and returned.first_viewed_at == now


def test_mastering_again_keeps_the_first_mastery_and_completion_times(student, course):
    from datetime import timedelta

    from django.utils import timezone

    lesson = course.lessons.get(slug="basics")
    completed = timezone.now() - timedelta(days=2)
    services.progress_mark_complete(user=student, lesson=lesson, now=completed)
    mastered = completed + timedelta(days=1)
    services.progress_mark_mastered(user=student, lesson=lesson, now=mastered)
    services.progress_mark_mastered(user=student, lesson=lesson, now=mastered + timedelta(hours=1))
    row = LessonProgress.objects.get(user=student, lesson=lesson)
    assert row.completed_at == completed and row.mastered_at == mastered


def test_lesson_page_lists_the_assignments_a_learner_may_see(client, student, instructor, course):
    from sandbox.models import Assignment

    basics = course.lessons.get(slug="basics")
    backprop = course.lessons.get(slug="backprop")
    Assignment.objects.create(slug="spirals", title="SPIRALS-LISTED", kind="config", published=True, lesson=basics, points=7)
    Assignment.objects.create(slug="draft-a", title="DRAFT-ASSIGNMENT", kind="config", published=False, lesson=basics)
    Assignment.objects.create(slug="pro-a", title="PRO-LESSON-ASSIGNMENT", kind="code", published=True, lesson=backprop)
    client.force_login(student)
    page = client.get(reverse("lesson", args=["basics"])).content.decode()
    assert "SPIRALS-LISTED" in page and "· Network configuration, 7 points" in page
    assert "DRAFT-ASSIGNMENT" not in page
    client.force_login(instructor)
    page = client.get(reverse("lesson", args=["basics"])).content.decode()
    assert "SPIRALS-LISTED" in page and "DRAFT-ASSIGNMENT" in page
    pro_page = client.get(reverse("lesson", args=["backprop"])).content.decode()
    assert "PRO-LESSON-ASSIGNMENT</a> <span class=\"badge badge-pro\">Pro</span>" in pro_page


def test_lesson_page_shows_this_learners_progress_only(client, student, make_user, course):
    lesson = course.lessons.get(slug="basics")
    other = make_user("other-reader")
    services.progress_mark_mastered(user=other, lesson=lesson)
    client.force_login(student)
    page = client.get(reverse("lesson", args=["basics"])).content.decode()
    assert "· mastered" not in page and "Mark as complete" in page
    services.progress_mark_mastered(user=student, lesson=lesson)
    page = client.get(reverse("lesson", args=["basics"])).content.decode()
    assert "· mastered" in page and "Mark as complete" not in page
    row = LessonProgress.objects.get(user=student, lesson=lesson)
    assert row.first_viewed_at is not None and row.mastered_at is not None
