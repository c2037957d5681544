"""Assignments in course folders: the demo course carries its own, export/import round-trips, problems by line."""

from pathlib import Path

from lessons.content_files import export_course_folder, import_course_folder
from lessons.models import Course
from sandbox.models import Assignment

DEMO = Path(__file__).resolve().parents[2] / "lessons" / "content" / "neural-networks-basics"


def _snapshot():
    return sorted((a.slug, a.lesson.slug, a.kind, a.points, a.dataset, a.hidden_test, a.rubric, a.limits,
                   a.starter_spec, a.exercise, a.exercise_params, a.starter_code, a.is_pro, a.published)
                  for a in Assignment.objects.select_related("lesson"))


def test_the_demo_course_brings_its_three_assignments(db):
    report = import_course_folder(DEMO)
    assert report.problems == []
    assignments = {a.slug: a for a in Assignment.objects.select_related("lesson")}
    assert set(assignments) == {"separate-the-spirals", "implement-sigmoid", "dense-backward"}
    assert assignments["separate-the-spirals"].rubric["thresholds"][-1] == {"at": 0.95, "fraction": 1.0}
    assert assignments["dense-backward"].is_pro and assignments["dense-backward"].lesson.slug == "training-in-practice"
    assert "def sigmoid_grad(x):" in assignments["implement-sigmoid"].starter_code


def test_assignments_round_trip_through_a_course_folder(db, tmp_path):
    import_course_folder(DEMO)
    before = _snapshot()
    export_course_folder(Course.objects.get(), tmp_path)
    assert (tmp_path / "assignments.yaml").read_text(encoding="utf-8") == (DEMO / "assignments.yaml").read_text(encoding="utf-8")
    report = import_course_folder(tmp_path)
    assert report.problems == [] and not [n for n in report.updated if n.startswith("assignment")]
    assert _snapshot() == before


def test_bad_assignments_are_reported_by_line_and_nothing_is_imported(db, tmp_path):
    for path in DEMO.iterdir():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "assignments.yaml").write_text(
        "- slug: a\n  title: A\n  kind: config\n  lesson: nowhere\n"
        "- slug: b\n  title: B\n  kind: code\n  lesson: artificial-neural-networks\n  exercise: nope\n"
        "- slug: c\n  title: C\n  kind: config\n  lesson: artificial-neural-networks\n  colour: red\n",
        encoding="utf-8")
    report = import_course_folder(tmp_path)
    assert report.problems == [
        "assignments.yaml:1: lesson 'nowhere' is not a lesson of this course",
        "assignments.yaml:5: exercise: choose one of activation, dense_layer, training_loop",
        "assignments.yaml:10: unknown key(s) colour",
    ]
    assert Course.objects.count() == 0 and Assignment.objects.count() == 0
