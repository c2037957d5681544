"""GIFT import: every supported kind parses to the right key; unsupported features are errors by line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from quizzes import gift
from quizzes.models import Question

GOOD = """// A comment line
$CATEGORY: $course$/Neural networks

::Backprop::What is backpropagation used for?{
  =Computing gradients of the loss#Right, the chain rule.
  ~Making predictions#That is the forward pass.
  ~Choosing the architecture
  ####It computes dL/dw for every weight.
}

Which are activation functions? {~%50%Sigmoid ~%50%ReLU#yes ~%-100%MSE}

A neuron computes f(w·x + b).{TRUE#Look again.#Exactly.}

Deep learning needs GPUs.{F}

What is 2 + 2? {#4:0.5}

Give a value between 1 and 5. {#1..5}

Pi to two places?{#=3.14:0.005 =%50%3.1:0.05}

Name the function that maps scores to probabilities. {=softmax =soft max =%50%sigmoid#close}

The {~forward =backward} pass computes gradients.

Escapes \\{ \\} \\= \\~ \\# and a colon\\: work.{=a\\=b ~c}
"""


def parse_ok(text):
    result = gift.parse(text)
    assert result.errors == []
    return result


def test_parses_every_supported_kind():
    result = parse_ok(GOOD)
    kinds = [q.kind for q in result.questions]
    assert kinds == ["single", "multiple", "true_false", "true_false", "numeric", "numeric", "numeric",
                     "short_text", "single", "single"]


def test_single_choice_keeps_feedback_and_general_feedback():
    q = parse_ok(GOOD).questions[0]
    assert q.text == "What is backpropagation used for?" and q.title == "Backprop"
    assert q.choices[0] == {"text": "Computing gradients of the loss", "is_correct": True,
                            "feedback": "Right, the chain rule."}
    assert [c["is_correct"] for c in q.choices] == [True, False, False]
    assert q.explanation == "It computes dL/dw for every weight."


def test_multiple_answers_become_right_minus_wrong():
    q = parse_ok(GOOD).questions[1]
    assert [(c["text"], c["is_correct"]) for c in q.choices] == [("Sigmoid", True), ("ReLU", True), ("MSE", False)]
    assert q.scoring_rule == "right_minus_wrong"
    assert q.choices[1]["feedback"] == "yes"


def test_true_false_feedback_goes_to_the_choice_it_answers():
    q = parse_ok(GOOD).questions[2]
    assert q.choices == [{"text": "True", "is_correct": True, "feedback": "Exactly."},
                         {"text": "False", "is_correct": False, "feedback": "Look again."}]
    assert parse_ok(GOOD).questions[3].choices[1]["is_correct"] is True


def test_numeric_values_tolerances_and_ranges():
    questions = parse_ok(GOOD).questions
    assert questions[4].key == {"answers": [{"value": 4.0, "tolerance": 0.5, "mode": "absolute", "fraction": 1.0}]}
    assert questions[5].key["answers"][0] | {} == {"value": 3.0, "tolerance": 2.0, "mode": "absolute", "fraction": 1.0}
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in questions[6].key["answers"]] == [
        (3.14, 0.005, 1.0), (3.1, 0.05, 0.5)]


def test_short_answers_with_weights_and_feedback_warning():
    result = parse_ok(GOOD)
    q = result.questions[7]
    assert q.key == {"answers": [{"text": "softmax", "fraction": 1.0}, {"text": "soft max", "fraction": 1.0},
                                 {"text": "sigmoid", "fraction": 0.5}]}
    assert any(w.line == 23 and "short answers" in w.message for w in result.warnings)


def test_missing_word_puts_a_blank_in_the_text():
    q = parse_ok(GOOD).questions[8]
    assert q.text == "The _____ pass computes gradients."
    assert [c["text"] for c in q.choices if c["is_correct"]] == ["backward"]


def test_escaped_characters_are_literal():
    q = parse_ok(GOOD).questions[9]
    assert q.text == "Escapes { } = ~ # and a colon: work."
    assert q.choices[0]["text"] == "a=b"


def test_categories_are_reported_as_warnings_with_their_line():
    result = parse_ok(GOOD)
    assert gift.GiftIssue(2, "Categories are not supported; the line was ignored.") in result.warnings


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q1 {=a ~b}\n\nMatch these. {=cat -> meow =dog -> woof}", 3, "Matching questions (->) are not supported."),
        ("Write an essay. {}", 1, "Essay questions ({}) are not supported."),
        ("Just a description.", 1, "Description items (text without an answer block) are not supported."),
        ("A {=b} and C {=d}", 1, "More than one answer block in a question (embedded answers) is not supported."),
        ("Pick. {=a ~%50%b ~c}", 1, "Partial credit on the choices of a single-choice question is not supported."),
        ("Pick. {~%60%a ~%40%b ~c}", 1, "Unequal weights in a multiple-answer question are not supported: each "
                                       "right choice scores an equal share (right picks minus wrong picks)."),
        ("Pick. {=a ~%-50%b}", 1, "Penalties (negative weights) on a single-choice question are not supported."),
        ("Unclosed {=a ~b", 1, "The answer block opened with { is not closed."),
        ("Number? {#abc}", 1, "'abc' is not a numeric answer (value, value:tolerance or min..max)."),
        ("// only comments\n", 1, "The file holds no questions."),
    ],
)
def test_unsupported_features_are_errors_with_their_line(text, line, message):
    result = gift.parse(text)
    assert gift.GiftIssue(line, message) in result.errors


def test_errors_report_the_line_inside_a_multiline_question():
    result = gift.parse("First {=a ~b}\n\n// note\nSecond question\nspans lines\n{=x -> y}\n")
    assert result.errors == [gift.GiftIssue(6, "Matching questions (->) are not supported.")]


def test_the_command_imports_a_good_file(tmp_path, make_quiz):
    quiz = make_quiz(questions=False)
    path = tmp_path / "bank.gift"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_gift", str(path), "--quiz", str(quiz.pk))
    assert quiz.questions.count() == 10
    single = quiz.questions.get(text="What is backpropagation used for?")
    assert single.choices.get(is_correct=True).text == "Computing gradients of the loss"


def test_a_bad_file_imports_nothing_and_names_each_line(tmp_path, make_quiz, capsys):
    quiz = make_quiz(questions=False)
    path = tmp_path / "bad.gift"
    path.write_text("Fine {=a ~b}\n\nEssay {}\n\nAlso fine {T}\n\nMatch {=a -> b}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_gift", str(path), "--quiz", str(quiz.pk))
    err = capsys.readouterr().err
    assert "line 3: Essay questions ({}) are not supported." in err
    assert "line 7: Matching questions (->) are not supported." in err
    assert Question.objects.filter(quiz=quiz).count() == 0


def test_a_question_the_quiz_cannot_grade_aborts_the_whole_import(make_quiz):
    from quizzes import services

    quiz = make_quiz(questions=False)
    with pytest.raises(services.QuizError) as raised:
        services.questions_import_gift(quiz=quiz, text="Good {=a ~b}\n\nOne choice only {~%100%a}")
    assert raised.value.errors["file"] == ["line 3: choices: Give at least two choices."]
    assert quiz.questions.count() == 0


def test_the_command_refuses_an_unknown_quiz(tmp_path, db):
    path = tmp_path / "bank.gift"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="No quiz with id 999"):
        call_command("import_gift", str(path), "--quiz", "999")


def test_the_admin_upload_imports_a_file(client, instructor, make_quiz):
    quiz = make_quiz(questions=False)
    client.force_login(instructor)
    url = f"/admin/quizzes/quiz/{quiz.pk}/import-gift/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("bank.gift", GOOD.encode())})
    assert response.status_code == 302
    assert quiz.questions.count() == 10


def test_the_admin_upload_lists_problems_and_imports_nothing(client, instructor, make_quiz):
    quiz = make_quiz(questions=False)
    client.force_login(instructor)
    response = client.post(f"/admin/quizzes/quiz/{quiz.pk}/import-gift/",
                           {"file": SimpleUploadedFile("bad.gift", b"Ok {=a ~b}\n\nEssay {}\n")})
    assert response.status_code == 400
    assert "line 3: Essay questions ({}) are not supported." in response.content.decode()
    assert quiz.questions.count() == 0


def test_the_api_imports_gift_text(api_as, instructor, make_quiz):
    quiz = make_quiz(questions=False)
    response = api_as(instructor).post(f"/api/v1/quizzes/{quiz.pk}/import-gift/", {"text": GOOD}, format="json")
    assert response.status_code == 201
    assert response.json()["imported"] == 10
    bad = api_as(instructor).post(f"/api/v1/quizzes/{quiz.pk}/import-gift/", {"text": "Essay {}"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["file"] == ["line 1: Essay questions ({}) are not supported."]
    assert quiz.questions.count() == 10



def test_a_nul_character_is_reported_by_line():
    result = gift.parse("Fine {=a ~b}\n\nBad\x00 {=a ~b}\n")
    assert result.errors == [gift.GiftIssue(3, "The line contains a NUL character.")]
    assert result.questions == []


def test_a_title_is_reported_by_line_not_dropped_silently():
    result = gift.parse("// first\n\n::Backprop::What is backpropagation for? {=gradients ~inputs}\n")
    assert [(w.line, w.message) for w in result.warnings] == [
        (3, "Question titles are not stored; the title 'Backprop' was left out.")]
    assert result.questions[0].text == "What is backpropagation for?"
