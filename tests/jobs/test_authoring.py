"""Instructors author assignments through the API and the admin; every mistake is named; secrets stay hidden."""

from django.urls import reverse
from rest_framework import status

from sandbox.models import Assignment

CONFIG = {
    "title": "Moons", "slug": "moons-task", "kind": "config", "lesson": "artificial-neural-networks", "points": 10,
    "dataset": {"name": "moons", "samples": 400, "noise": 0.1, "seed": 1},
    "hidden_test": {"samples": 300, "seed": 5150},
    "limits": {"max_parameters": 500, "max_epochs": 100},
    "rubric": {"metric": "accuracy", "thresholds": [{"at": 0.9, "fraction": 1.0}]},
    "published": True,
}


def test_an_instructor_creates_a_config_assignment(api_as, instructor, demo_assignments):
    response = api_as(instructor).post("/api/v1/assignments/", CONFIG, format="json")
    assert response.status_code == status.HTTP_201_CREATED, response.json()
    created = Assignment.objects.get(slug="moons-task")
    assert created.created_by == instructor and created.lesson.slug == "artificial-neural-networks"
    assert response.json()["hidden_test"] == {"samples": 300, "seed": 5150}


def test_students_never_see_the_hidden_split_or_exercise_parameters(api_as, student, demo_assignments):
    client = api_as(student)
    for slug in ("separate-the-spirals", "implement-sigmoid"):
        body = client.get(f"/api/v1/assignments/{slug}/").json()
        assert "hidden_test" not in body and "exercise_params" not in body
        assert "777001" not in str(body)
    listed = str(client.get("/api/v1/assignments/").json())
    assert "777001" not in listed and "hidden_test" not in listed


def test_students_cannot_create_or_change_assignments(api_as, student, demo_assignments):
    client = api_as(student)
    assert client.post("/api/v1/assignments/", CONFIG, format="json").status_code == 403
    assert client.patch("/api/v1/assignments/separate-the-spirals/", {"points": 1}, format="json").status_code == 403
    assert Assignment.objects.get(slug="separate-the-spirals").points == 10


def test_only_the_author_changes_an_assignment(api_as, instructor, make_user, demo_assignments):
    api_as(instructor).post("/api/v1/assignments/", CONFIG, format="json")
    other = make_user("teacher2", role="instructor")
    assert api_as(other).patch("/api/v1/assignments/moons-task/", {"points": 3}, format="json").status_code == 403
    changed = api_as(instructor).patch("/api/v1/assignments/moons-task/", {"points": 3}, format="json")
    assert changed.status_code == 200 and changed.json()["points"] == 3


def _errors(api_as, instructor, **changes):
    response = api_as(instructor).post("/api/v1/assignments/", {**CONFIG, **changes}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert not Assignment.objects.filter(slug=CONFIG["slug"]).exists()
    return response.json()["errors"]


def test_bad_authoring_input_names_each_field(api_as, instructor, demo_assignments):
    assert "rubric" in _errors(api_as, instructor, rubric={"metric": "f1", "thresholds": []})
    assert "rubric" in _errors(api_as, instructor, rubric={"thresholds": [{"at": 0.9, "fraction": 2}]})
    assert "hidden_test" in _errors(api_as, instructor, hidden_test={"samples": 300, "seed": 1})  # same seed as training
    assert "hidden_test" in _errors(api_as, instructor, hidden_test=None)
    assert "dataset" in _errors(api_as, instructor, dataset={"name": "mnist"})
    assert "limits" in _errors(api_as, instructor, limits={"max_epochs": -5})
    assert "lesson" in _errors(api_as, instructor, lesson="no-such-lesson")
    assert "slug" in _errors(api_as, instructor, slug="separate-the-spirals")
    code = {"kind": "code", "exercise": "nonsense", "dataset": None, "hidden_test": None, "rubric": None}
    assert "exercise" in _errors(api_as, instructor, **code)
    assert "exercise_params" in _errors(api_as, instructor, **{**code, "exercise": "activation", "exercise_params": {"function": "nope"}})


def test_null_parameters_sent_as_form_data_are_refused_by_name(api_as, instructor, demo_assignments):
    # Form input reaches the service as JSON null even where the field refuses null in a JSON body.
    client = api_as(instructor)
    before = Assignment.objects.values("exercise_params", "limits").get(slug="dense-backward")
    for field in ("exercise_params", "limits"):
        response = client.patch("/api/v1/assignments/dense-backward/", {field: "null"}, format="multipart")
        assert response.status_code == status.HTTP_400_BAD_REQUEST, (field, response.status_code)
        assert field in response.json()["errors"]
    assert Assignment.objects.values("exercise_params", "limits").get(slug="dense-backward") == before


def test_the_admin_refuses_a_bad_rubric_with_the_field_named(client, instructor, demo_assignments):
    client.force_login(instructor)
    spirals = Assignment.objects.get(slug="separate-the-spirals")
    url = reverse("admin:sandbox_assignment_change", args=[spirals.pk])
    assert client.get(url).status_code == 200
    data = {
        "lesson": spirals.lesson_id, "title": spirals.title, "slug": spirals.slug, "kind": "config",
        "instructions": "x", "points": 10, "order": 1, "published": "on",
        "dataset": '{"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1}',
        "hidden_test": '{"samples": 600, "seed": 777001}', "limits": "{}", "starter_spec": "null",
        "rubric": '{"metric": "accuracy", "thresholds": "high"}', "exercise": "", "exercise_params": "{}", "starter_code": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "thresholds must be a non-empty list" in response.content.decode()
    data["rubric"] = '{"metric": "accuracy", "thresholds": [{"at": 0.9, "fraction": 1}]}'
    assert client.post(url, data).status_code == 302
    spirals.refresh_from_db()
    assert spirals.rubric["thresholds"] == [{"at": 0.9, "fraction": 1}]


def test_an_assignment_in_a_pro_lesson_says_it_needs_pro(api_as, pro_student, demo_assignments):
    from lessons.models import Lesson

    Assignment.objects.filter(slug="implement-sigmoid").update(lesson=Lesson.objects.get(slug="training-in-practice"))
    client = api_as(pro_student)
    in_pro_lesson = client.get("/api/v1/assignments/implement-sigmoid/").json()
    assert (in_pro_lesson["is_pro"], in_pro_lesson["needs_pro"]) == (False, True)
    free = client.get("/api/v1/assignments/separate-the-spirals/").json()
    assert (free["is_pro"], free["needs_pro"]) == (False, False)
