"""Factories for the quizzes tests: lessons, a quiz with one question of every kind, marker strings."""

import pytest

# Distinctive strings put in keys, explanations and feedback: no learner response may contain them
# before the review policy shows them.
MARKERS = {
    "explanation": "EXPLAINMARKER",
    "feedback": "FEEDBACKMARKER",
    "short_answer": "zebrafishmarker",
    "short_regex": "quokka[0-9]+marker",
    "numeric_value": "73519.25",
    "numeric_tolerance": "0.0173",
}


def all_markers():
    return list(MARKERS.values())


@pytest.fixture
def make_lesson(db):
    from lessons.models import Course, Lesson

    counter = iter(range(1, 10_000))

    def make(slug=None, *, published=True, is_pro=False, course_published=True):
        slug = slug or f"lesson-{next(counter)}"
        course, _ = Course.objects.get_or_create(
            slug=f"course-{slug}", defaults={"title": f"Course {slug}", "published": course_published}
        )
        return Lesson.objects.create(course=course, slug=slug, title=f"Lesson {slug}", published=published, is_pro=is_pro)

    return make


def add_every_kind(quiz):
    """Add one question of each kind to ``quiz``, keys and feedback carrying the markers; return them by kind."""
    from quizzes import services

    m = MARKERS
    q = {}
    q["single"] = services.question_create(
        quiz=quiz, kind="single", text="What is backpropagation used for?", points=2,
        explanation=f"single {m['explanation']}",
        choices=[
            {"text": "Computing gradients of the loss", "is_correct": True, "feedback": f"right {m['feedback']}"},
            {"text": "Making predictions", "feedback": f"wrong {m['feedback']}"},
            {"text": "Choosing the architecture", "feedback": f"wrong2 {m['feedback']}"},
        ],
    )
    q["multiple"] = services.question_create(
        quiz=quiz, kind="multiple", text="Which are activation functions?", explanation=f"multiple {m['explanation']}",
        choices=[
            {"text": "Sigmoid", "is_correct": True, "feedback": f"s {m['feedback']}"},
            {"text": "ReLU", "is_correct": True},
            {"text": "MSE", "feedback": f"mse {m['feedback']}"},
            {"text": "Adam"},
        ],
    )
    q["true_false"] = services.question_create(
        quiz=quiz, kind="true_false", text="A neuron applies an activation to w.x + b.",
        explanation=f"tf {m['explanation']}", key={"answer": True, "feedback_false": f"tf {m['feedback']}"},
    )
    q["numeric"] = services.question_create(
        quiz=quiz, kind="numeric", text="Give the magic number.", explanation=f"numeric {m['explanation']}",
        key={"answers": [{"value": float(m["numeric_value"]), "tolerance": float(m["numeric_tolerance"]),
                          "mode": "absolute", "fraction": 1.0}]},
    )
    q["short_text"] = services.question_create(
        quiz=quiz, kind="short_text", text="Name the animal.", explanation=f"short {m['explanation']}",
        key={"answers": [{"text": m["short_answer"], "fraction": 1.0}],
             "patterns": [{"regex": m["short_regex"], "fraction": 1.0}]},
    )
    q["ordering"] = services.question_create(
        quiz=quiz, kind="ordering", text="Order a training step.", explanation=f"ordering {m['explanation']}",
        choices=[
            {"text": "Forward pass", "position": 1, "feedback": f"o1 {m['feedback']}"},
            {"text": "Loss", "position": 2},
            {"text": "Backward pass", "position": 3},
            {"text": "Update", "position": 4},
        ],
    )
    return q


def right_answers(questions):
    """Return ``{question id: answer}`` answering every question of ``add_every_kind`` correctly."""
    answers = {}
    for kind, question in questions.items():
        choices = list(question.choices.all())
        if kind in ("single", "true_false"):
            answers[question.pk] = next(c.uid for c in choices if c.is_correct)
        elif kind == "multiple":
            answers[question.pk] = [c.uid for c in choices if c.is_correct]
        elif kind == "ordering":
            answers[question.pk] = [c.uid for c in sorted(choices, key=lambda c: c.position)]
        elif kind == "numeric":
            answers[question.pk] = float(MARKERS["numeric_value"])
        else:
            answers[question.pk] = MARKERS["short_answer"].upper() + "  "
    return answers


@pytest.fixture
def make_quiz(db, make_lesson):
    """Return a function creating a published quiz (with every question kind unless ``questions=False``)."""
    from quizzes import services

    def make(*, lesson="default", questions=True, **settings):
        if lesson == "default":
            lesson = make_lesson()
        settings.setdefault("published", True)
        quiz = services.quiz_create(created_by=None, title=settings.pop("title", "Test quiz"), lesson=lesson, **settings)
        quiz.kinds = add_every_kind(quiz) if questions else {}
        return quiz

    return make
