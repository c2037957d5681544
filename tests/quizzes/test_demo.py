"""The demo quizzes load idempotently onto the demo lessons and can be taken."""

import io

import pytest

from lessons.models import Course, Lesson
from quizzes import demo
from quizzes.models import Choice, Question, Quiz

SLUGS = ["artificial-neural-networks", "loss-functions-and-gradient-descent", "training-in-practice"]


@pytest.fixture
def demo_lessons(db):
    course = Course.objects.create(slug="neural-networks-basics", title="Neural networks basics", published=True)
    return {slug: Lesson.objects.create(course=course, slug=slug, title=slug, published=True,
                                        is_pro=slug == "training-in-practice", order=n)
            for n, slug in enumerate(SLUGS)}


def test_demo_quizzes_attach_to_the_demo_lessons(demo_lessons):
    out = io.StringIO()
    demo.load(out)
    assert {q.lesson.slug for q in Quiz.objects.all()} == set(SLUGS)
    assert Quiz.objects.filter(published=True).count() == 3
    assert "created demo quiz artificial-neural-networks-quiz (7 questions)" in out.getvalue()


def test_loading_twice_changes_nothing(demo_lessons):
    demo.load(io.StringIO())
    before = (Quiz.objects.count(), Question.objects.count(), sorted(Choice.objects.values_list("uid", flat=True)))
    demo.load(io.StringIO())
    assert (Quiz.objects.count(), Question.objects.count(),
            sorted(Choice.objects.values_list("uid", flat=True))) == before


def test_demo_uses_every_kind_and_has_the_backprop_question(demo_lessons):
    demo.load(io.StringIO())
    assert set(Question.objects.values_list("kind", flat=True)) == {k for k, _ in Question.Kind.choices}
    assert Question.objects.count() >= 9
    backprop = Question.objects.get(text="What is backpropagation used for in neural networks?")
    assert backprop.kind == "single"
    assert backprop.quiz.lesson.slug == "artificial-neural-networks"
    assert "gradient of the loss with respect to every weight" in backprop.choices.get(is_correct=True).text


def test_missing_lessons_are_noted_and_attached_later(db):
    out = io.StringIO()
    demo.load(out)
    assert "no lesson 'artificial-neural-networks' yet; the quiz is not attached" in out.getvalue()
    assert Quiz.objects.filter(lesson__isnull=True).count() == 3
    course = Course.objects.create(slug="neural-networks-basics", title="Basics", published=True)
    Lesson.objects.create(course=course, slug="artificial-neural-networks", title="ANN", published=True)
    demo.load(io.StringIO())
    assert Quiz.objects.get(slug="artificial-neural-networks-quiz").lesson.slug == "artificial-neural-networks"


def test_the_backprop_quiz_can_be_taken_over_the_api(demo_lessons, student, api_as):
    demo.load(io.StringIO())
    quiz = Quiz.objects.get(slug="artificial-neural-networks-quiz")
    api = api_as(student)
    attempt = api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    question = next(q for q in attempt["questions"] if q["text"].startswith("What is backpropagation"))
    right = Choice.objects.get(question_id=question["id"], is_correct=True).uid
    body = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": {question["id"]: right}},
                    format="json").json()
    item = next(i for i in body["result"]["questions"] if i["id"] == question["id"])
    assert item["status"] == "correct" and item["points_awarded"] == 2.0


def test_the_pro_demo_quiz_needs_pro(demo_lessons, student, pro_student, api_as):
    demo.load(io.StringIO())
    quiz = Quiz.objects.get(slug="training-in-practice-quiz")
    assert api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").status_code == 403
    assert api_as(pro_student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").status_code == 201
