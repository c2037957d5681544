"""A learner takes the lesson's quiz in a real browser: the backpropagation question, then the review."""

from quizzes import demo as quiz_demo


def test_a_student_answers_the_backpropagation_question_and_sees_the_review(
        live_server, page, screenshot, demo_course, django_user_model):
    from io import StringIO

    quiz_demo.load(StringIO())
    django_user_model.objects.create_user("quizzer", password="quizzing-pass-1")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "quizzer")
    page.fill("#id_password", "quizzing-pass-1")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/lessons/artificial-neural-networks/")
    page.click("[data-testid=lesson-quizzes] a")
    page.click("main button[type=submit]")  # start the quiz
    question = page.locator("fieldset", has_text="What is backpropagation used for in neural networks?")
    assert question.count() == 1
    assert "Right: it is how" not in page.content()  # no feedback before grading
    question.get_by_label("Computing the gradient of the loss with respect to every weight", exact=False).check()
    screenshot(page, "quiz-take")
    page.click("button[value=submit]")
    score = page.inner_text("[data-testid=score]")
    assert "/" in score and "%" in score
    review = page.inner_text("main")
    assert "Right: it is how the network learns from its error." in review
    assert "chain rule" in review  # the explanation, shown because the review policy allows it
    screenshot(page, "quiz-review")
