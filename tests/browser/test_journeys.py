"""Whole journeys through the real pages in a real browser, one test per kind of user.

Each journey asserts on what the user sees, saves screenshots of its key pages under test-artifacts/
(and docs/screenshots/ with DOCS_SCREENSHOTS=1), and runs axe-core on the catalogue, lesson, quiz and lab
pages. Training runs on a real Celery worker process.
"""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from accounts import services as account_services
from quizzes import demo as quiz_demo
from quizzes import services as quiz_services
from quizzes.models import Question, Quiz
from sandbox.models import Assignment, TrainingJob

LESSON = "artificial-neural-networks"
COURSE = "neural-networks-basics"
JOB_TIMEOUT_SECONDS = 120

WRONG_SIGMOID = '''import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return sigmoid(x)
'''

RIGHT_SIGMOID = '''import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
'''

GIFT_FILE = '''// Two questions for the quiz of the first lesson.
::ReLU at zero::What does ReLU return for an input of -3? {#0}

::Loss or activation::Mean squared error is {
=a loss function
~an activation function
~an optimiser
}
'''


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    assert page.url.endswith("/accounts/profile/"), page.inner_text("main")


def watch_job(page):
    """Follow the job page until the run finishes; return its status, the progress values and curve lengths seen.

    The page's script replaces the live panel in place; nothing here reloads the page.
    """
    percents, curve_points = [], []
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    status = ""
    while time.monotonic() < deadline:
        status = page.inner_text("[data-testid=job-status]")
        if status == "Running":
            bar = page.locator("[role=progressbar]")
            if bar.count():
                percents.append(int(bar.get_attribute("aria-valuenow")))
            curve = page.locator("svg.chart polyline").first
            if curve.count():
                curve_points.append(len((curve.get_attribute("points") or "").split()))
        if status in ("Succeeded", "Failed", "Cancelled"):
            break
        page.wait_for_timeout(150)
    return status, percents, curve_points


def grows(values):
    """Whether a sequence seen over time took at least two values and never went down."""
    return len(set(values)) >= 2 and all(a <= b for a, b in zip(values, values[1:]))


def answer_first_quiz(page):
    """Answer every question of the first lesson's demo quiz right (they are shuffled: find each by its text)."""
    def question(text):
        fieldset = page.locator("fieldset", has_text=text)
        assert fieldset.count() == 1, f"question {text!r} is not on the page"
        return fieldset

    question("What is backpropagation used for").get_by_label("Computing the gradient of the loss", exact=False).check()
    activations = question("Which of these are activation functions?")
    for name in ("Sigmoid", "tanh", "ReLU"):
        activations.get_by_label(name, exact=True).check()
    question("A single neuron computes a weighted sum").get_by_label("True", exact=True).check()
    question("What does it output for the input x = (2, 1)?").locator("input[type=text]").fill("0.5")
    ordering = question("Put the steps of one training iteration in order.")
    for place, item in enumerate(["Forward pass: compute the prediction", "Compute the loss",
                                  "Backward pass: compute the gradients", "Update the weights"], start=1):
        ordering.get_by_label(f"Place of {item}").select_option(str(place))
    question("vector of scores into probabilities").locator("input[type=text]").fill("Softmax")
    question("Why do deeper networks often do better").get_by_label(
        "Each layer can combine the previous layer's features", exact=False).check()


def controls_away_from_their_labels(page):
    """Return the quiz's choice labels whose radio, checkbox or place select is not at the start of their first line."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#quiz-form fieldset label')).filter(label => {
            const control = label.querySelector('input[type=radio], input[type=checkbox], select');
            if (!control) { return false; }
            const box = label.getBoundingClientRect(), own = control.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(label).lineHeight) || 24;
            return Math.abs(own.left - box.left) > 2 || (own.top + own.height / 2) - box.top > line;
        }).map(label => label.innerText.trim())"""
    )


def diagram_line_widths(page):
    """Return the laid-out widths, in pixels, of the box-drawing lines of the lesson's first diagram.

    Each line is measured as the browser laid it out (a Range over its characters), so a glyph missing from
    the monospace font, drawn from a fallback font, makes its line wider or narrower than the others.
    """
    return page.evaluate(
        """() => {
            const code = document.querySelector('pre.diagram code');
            if (code.childNodes.length !== 1 || code.firstChild.nodeType !== Node.TEXT_NODE) { return null; }
            const node = code.firstChild, range = document.createRange(), widths = [];
            let start = 0;
            for (const line of node.textContent.split('\\n')) {
                const drawn = line.trimEnd();
                if (drawn.trim().startsWith('│')) {
                    range.setStart(node, start);
                    range.setEnd(node, start + drawn.length);
                    widths.push(Math.round(range.getBoundingClientRect().width * 10) / 10);
                }
                start += line.length + 1;
            }
            return widths;
        }"""
    )


@pytest.mark.worker
def test_student_signs_up_reads_takes_the_quiz_trains_and_passes_the_exercise(
        live_server, page, screenshot, assert_accessible, demo_course, celery_worker_process):
    quiz_demo.load(StringIO())
    page.set_default_timeout(10_000)

    # The catalogue, as a visitor sees it, then the sign-up page.
    page.goto(f"{live_server.url}/")
    assert "Neural Networks Basics" in page.inner_text("main")
    assert_accessible(page, "catalogue")
    screenshot(page, "student-catalogue", docs="catalogue")
    page.click("text=Create a free account")
    page.fill("#id_username", "ada")
    page.fill("#id_email", "ada@example.org")
    page.fill("#id_password1", "analytical-engine-1843")
    page.fill("#id_password2", "analytical-engine-1843")
    page.click("main button[type=submit]")
    assert "Welcome, ada! Your account is ready." in page.inner_text("main")
    assert page.inner_text("[data-testid=role]") == "Student"

    # The first lesson, diagrams intact.
    page.click("nav >> text=Courses")
    page.click("text=Neural Networks Basics")
    page.locator(".lesson-row a").first.click()
    assert page.url.endswith(f"/lessons/{LESSON}/")
    assert page.locator("pre.diagram").count() >= 2
    widths = diagram_line_widths(page)
    assert len(widths) > 5 and len(set(widths)) == 1, f"the diagram's box lines differ in width: {widths}"
    assert_accessible(page, "lesson")
    screenshot(page, "student-lesson", docs="lesson", docs_scroll_to="pre.diagram")

    # Its quiz, then the review.
    page.click("[data-testid=lesson-quizzes] a")
    page.click("text=Start the quiz")
    assert "Right: it is how" not in page.content()  # no feedback before grading
    answer_first_quiz(page)
    assert controls_away_from_their_labels(page) == []
    assert_accessible(page, "quiz")
    screenshot(page, "student-quiz", docs="quiz")
    page.click("button[value=submit]")
    score = page.inner_text("[data-testid=score]")
    assert score.startswith("8 / 8 (100%): passed"), score
    review = page.inner_text("main")
    assert "Right: it is how the network learns from its error." in review
    assert "chain rule" in review  # the explanation
    screenshot(page, "student-quiz-review")

    # The lab: train the spirals and watch the run.
    page.goto(f"{live_server.url}/lessons/{LESSON}/")
    assert page.inner_text("[data-testid=best-score]") == "100%"
    page.click("text=Separate the spirals")
    assert "Free plan: 1 job at a time" in page.inner_text("[data-testid=plan-limits]")
    assert_accessible(page, "lab")
    page.fill("#id_units_0", "32")
    page.select_option("#id_activation_0", "tanh")
    page.fill("#id_units_1", "32")
    page.select_option("#id_activation_1", "tanh")
    # Long enough (a few seconds) for the page to show the run filling in between its polls.
    page.fill("#id_epochs", "300")
    page.fill("#id_batch_size", "4")
    page.fill("#id_learning_rate", "0.005")
    screenshot(page, "student-lab-form")
    page.click("main button[type=submit]")
    assert "/lab/jobs/" in page.url, page.inner_text("main")
    status, percents, curve_points = watch_job(page)
    assert status == "Succeeded", page.inner_text("main")
    assert grows(percents), f"the progress bar did not fill in: {percents}"
    assert grows(curve_points), f"the loss curve did not fill in: {curve_points} (progress {percents})"
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "100"
    assert page.locator("svg.chart polyline").count() == 2  # training and validation
    assert len(page.locator("svg.chart polyline").first.get_attribute("points").split()) == 300
    assert page.locator("svg.boundary rect").count() > 10
    assert page.locator("svg.boundary circle").count() > 100  # the training points on top
    grade = page.inner_text("[data-testid=grade]")
    assert grade.startswith("Grade: 10 / 12 passed"), grade
    assert_accessible(page, "lab result")
    screenshot(page, "student-lab-result", docs="lab", docs_full_page=True)

    # The sigmoid exercise: wrong, read the feedback, fix, pass.
    page.goto(f"{live_server.url}/lessons/{LESSON}/")
    page.click("text=Implement sigmoid and its derivative")
    page.fill("#id_code", WRONG_SIGMOID)
    page.click("text=Run the checks")
    status, _, _ = watch_job(page)
    assert status == "Succeeded", page.inner_text("main")
    grade = page.inner_text("[data-testid=grade]")
    assert "not passed" in grade, grade
    assert "sigmoid_grad(0) returned 0.5, expected 0.25" in grade
    assert "sigmoid_grad differs from the expected derivatives on hidden inputs" in grade
    screenshot(page, "student-exercise-feedback")
    page.click("text=Back to the lab")
    assert page.input_value("#id_code") == WRONG_SIGMOID  # the lab starts from the last try
    page.fill("#id_code", RIGHT_SIGMOID)
    page.click("text=Run the checks")
    status, _, _ = watch_job(page)
    assert status == "Succeeded", page.inner_text("main")
    grade = page.inner_text("[data-testid=grade]")
    assert grade.startswith("Grade: 10 / 10 passed"), grade
    assert "✗" not in grade and page.locator("[data-testid=grade] li.bad").count() == 0
    screenshot(page, "student-exercise-passed")

    # Progress on the course page.
    page.goto(f"{live_server.url}/courses/{COURSE}/")
    first = page.locator(".lesson-row").first
    assert first.locator(".tick").inner_text() == "★", first.inner_text()  # mastered: the quiz was passed
    assert "completed" in first.inner_text()
    completion = page.inner_text("[data-testid=completion]")
    assert completion == "33% complete", completion
    screenshot(page, "student-course-progress")


@pytest.mark.worker
def test_free_student_hits_the_pro_lock_redeems_a_code_reads_the_pro_lesson_and_gets_larger_limits(
        live_server, page, screenshot, assert_accessible, settings, django_user_model, demo_course,
        celery_worker_process):
    page.set_default_timeout(10_000)
    free, pro = settings.PLANS["free"], settings.PLANS["pro"]
    epochs = free["max_epochs"] + 200
    assert epochs <= pro["max_epochs"]
    student = django_user_model.objects.create_user("grace", password="compiler-1952")
    teacher = django_user_model.objects.create_user("teacher", password="x", role="instructor")
    account_services.pro_code_create(created_by=teacher, days=30, code="JOURNEY-PRO",
                                     expires_at=timezone.now() + timedelta(days=1))
    log_in(page, live_server, "grace", "compiler-1952")
    assert page.inner_text("[data-testid=plan-limits]").startswith(
        f"Free plan: {free['concurrent_jobs']} job at a time, {free['jobs_per_day']} a day, up to {free['max_epochs']} epochs")

    # The Pro lock on the course page and on the lesson.
    page.goto(f"{live_server.url}/courses/{COURSE}/")
    locked = page.locator(".lesson-row", has_text="Training in Practice")
    assert locked.locator("[data-testid=locked]").inner_text().split() == ["Locked", "Pro"]
    locked.locator("a", has_text="Training in Practice").click()
    lock = page.locator("[data-testid=pro-lock]")
    assert lock.is_visible() and "This is a Pro lesson" in lock.inner_text()
    assert page.locator("article .prose").count() == 0  # no body behind the lock
    assert_accessible(page, "locked lesson")
    screenshot(page, "pro-locked-lesson")

    # A run larger than the free plan allows is refused, saying which limit.
    page.goto(f"{live_server.url}/lab/")
    page.fill("#id_samples", "300")
    page.fill("#id_units_0", "8")
    page.fill("#id_epochs", str(epochs))
    page.fill("#id_batch_size", "64")
    page.click("main button[type=submit]")
    assert page.url.endswith("/lab/")
    refusal = page.inner_text(".lab-form .errors")
    assert f"training.epochs: {epochs} is more than the limit of {free['max_epochs']} epochs" in refusal, refusal
    screenshot(page, "pro-free-limit-refused")

    # Redeem a code from the lock.
    page.goto(f"{live_server.url}/lessons/training-in-practice/")
    page.click("text=Redeem a Pro code")
    page.fill("#id_code", "journey-pro")
    page.click("main button[type=submit]")
    assert "Pro is active until" in page.inner_text("main")
    assert page.inner_text("[data-testid=pro-status]").startswith("Active until")
    assert page.inner_text("header .badge-pro") == "Pro"
    shown = page.inner_text("[data-testid=plan-limits]")
    assert shown.startswith(
        f"Pro plan: {pro['concurrent_jobs']} jobs at a time, {pro['jobs_per_day']} a day, up to {pro['max_epochs']} "
        f"epochs, {pro['max_parameters']} parameters and {pro['max_samples']} samples, {pro['max_wall_seconds']} s each"
    ), shown
    # The page and the API read the same plan.
    me = page.evaluate("() => fetch('/api/v1/me/', {credentials: 'same-origin'}).then(r => r.json())")
    assert me["is_pro"] is True and me["plan"] == {"name": "pro", **pro}
    assert_accessible(page, "profile")
    screenshot(page, "pro-profile")

    # The Pro lesson, and its Pro exercise.
    page.goto(f"{live_server.url}/courses/{COURSE}/")
    assert page.locator("[data-testid=locked]").count() == 0
    page.locator(".lesson-row a", has_text="Training in Practice").click()
    assert page.locator("[data-testid=pro-lock]").count() == 0
    assert page.locator("article .prose h2").count() >= 3
    assert "Write the dense layer's backward pass" in page.inner_text(".activities")
    screenshot(page, "pro-lesson")

    # The same run is now within the limits, and trains.
    page.goto(f"{live_server.url}/lab/")
    assert page.inner_text("[data-testid=plan-limits]").startswith("Pro plan:")
    page.fill("#id_samples", "300")
    page.fill("#id_units_0", "8")
    page.fill("#id_epochs", str(epochs))
    page.fill("#id_batch_size", "64")
    page.click("main button[type=submit]")
    assert "/lab/jobs/" in page.url, page.inner_text("main")
    status, _, _ = watch_job(page)
    assert status == "Succeeded", page.inner_text("main")
    assert len(page.locator("svg.chart polyline").first.get_attribute("points").split()) == epochs
    screenshot(page, "pro-larger-run")
    student.refresh_from_db()
    assert student.is_pro


def _take_quiz(user, quiz, answers):
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    return quiz_services.attempt_submit(attempt=attempt, user=user, answers=answers)


def test_instructor_edits_a_lesson_adds_and_imports_questions_and_reads_the_analytics_and_scores(
        live_server, page, screenshot, assert_accessible, django_user_model, demo_course):
    page.set_default_timeout(10_000)
    quiz_demo.load(StringIO())
    quiz = Quiz.objects.get(slug="artificial-neural-networks-quiz")
    numeric = quiz.questions.get(kind="numeric")
    questions_before = quiz.questions.count()
    # Two learners took the quiz (one got the numeric question right) and trained the spirals.
    right = django_user_model.objects.create_user("lin", password="x")
    wrong = django_user_model.objects.create_user("sam", password="x")
    _take_quiz(right, quiz, {numeric.pk: 0.5})
    _take_quiz(wrong, quiz, {numeric.pk: 2})
    spirals = Assignment.objects.get(slug="separate-the-spirals")
    for user, score, passed in ((right, 10.0, True), (right, 6.0, False), (wrong, 3.5, False)):
        TrainingJob.objects.create(user=user, assignment=spirals, kind=TrainingJob.Kind.SPEC, spec=spirals.starter_spec,
                                   status=TrainingJob.Status.SUCCEEDED, score=score, grade={"passed": passed},
                                   finished_at=timezone.now())
    django_user_model.objects.create_user("hopper", password="cobol-1959", role="instructor")
    log_in(page, live_server, "hopper", "cobol-1959")

    # Edit the first lesson in the admin, watching the live preview.
    page.click("header >> text=Admin")
    page.click("#content-main a[href$=\"/admin/lessons/lesson/\"]")
    page.locator("#result_list a", has_text="Neural Networks Basics").click()
    body = page.input_value("#id_body")
    note = "A note from your instructor: trace one input through the diagram by hand."
    page.fill("#id_body", body + "\n\n" + note + "\n")
    page.wait_for_function(
        "note => document.getElementById('lesson-preview').innerText.includes(note)", arg=note, timeout=10_000)
    screenshot(page, "instructor-lesson-edit")
    page.click("input[name=_save]")
    assert "was changed successfully" in page.inner_text(".messagelist")
    page.goto(f"{live_server.url}/lessons/{LESSON}/")
    assert note in page.inner_text("article .prose")

    # Add a question with its choices.
    page.goto(f"{live_server.url}/admin/quizzes/question/add/")
    page.select_option("#id_quiz", str(quiz.pk))
    page.select_option("#id_kind", "single")
    page.fill("#id_text", "Which layer turns a network's scores into class probabilities?")
    page.fill("#id_points", "1")
    for index, (text, correct) in enumerate([("A softmax output layer", True), ("A dropout layer", False)]):
        page.click("text=Add another Choice")
        page.fill(f"#id_choices-{index}-text", text)
        if correct:
            page.check(f"#id_choices-{index}-is_correct")
    page.click("input[name=_save]")
    messages = page.inner_text(".messagelist")
    assert "was added successfully" in messages and "cannot be graded" not in messages, messages
    added = Question.objects.get(text__startswith="Which layer turns")
    assert added.quiz_id == quiz.pk and [c.is_correct for c in added.choices.order_by("id")] == [True, False]

    # Import a GIFT file from the quiz's admin page.
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/change/")
    page.click("text=Import GIFT questions")
    page.set_input_files("#id_file", files=[{"name": "relu.gift", "mimeType": "text/plain",
                                             "buffer": GIFT_FILE.encode("utf-8")}])
    screenshot(page, "instructor-gift-import")
    page.click("input[type=submit][value=Import]")
    assert "Imported 2 questions." in page.inner_text(".messagelist")
    assert quiz.questions.count() == questions_before + 3

    # Item analytics.
    page.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    page.click("text=Statistics")
    assert page.inner_text("[data-testid=stats-attempts]") == "2 by 2 learners"
    row = page.inner_text(f"[data-testid=stats-question-{numeric.pk}]").split("\t")
    assert row[1:3] == ["2", "0.50"], row  # attempts, facility: one of two right
    questions = page.locator("[data-testid^=stats-question-]")
    assert questions.count() == questions_before + 3
    # In the order they were added: the demo's, the one from the admin, then the imported ones.
    assert questions.nth(questions_before).inner_text().startswith("Which layer turns a network")
    assert questions.nth(questions_before + 1).inner_text().startswith("What does ReLU return")
    assert_accessible(page, "quiz statistics")
    screenshot(page, "instructor-quiz-stats")

    # The assignment's score table.
    page.goto(f"{live_server.url}/lab/separate-the-spirals/")
    page.click("text=Score table of this assignment")
    rows = [r.split("\t") for r in page.locator("tbody tr").all_inner_texts()]
    points = spirals.points
    assert [r[:4] for r in rows] == [["lin", f"10.0 / {points}", "2", "yes"], ["sam", f"3.5 / {points}", "1", "no"]], rows
    assert_accessible(page, "score table")
    screenshot(page, "instructor-scores")
