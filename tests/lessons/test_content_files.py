"""Courses as files: export/import round trip, problems by file and line, mojibake repair, the demo course."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lessons.content_files import export_course_folder, import_course_folder, read_course_folder
from lessons.mojibake import decode_sloppy_cp874, repair
from lessons.models import Course, Lesson

from .conftest import FIXTURES

DEMO = Path(__file__).resolve().parents[2] / "lessons" / "content" / "neural-networks-basics"


def _snapshot():
    return [
        (l.course.slug, l.slug, l.title, l.summary, l.body, l.order, l.estimated_minutes, l.is_pro, l.published,
         sorted(p.slug for p in l.prerequisites.all()))
        for l in Lesson.objects.select_related("course").order_by("slug")
    ] + [(c.slug, c.title, c.summary, c.description, c.order, c.published) for c in Course.objects.order_by("slug")]


def test_export_then_import_changes_nothing(course, tmp_path):
    Lesson.objects.get(slug="backprop").prerequisites.add(Lesson.objects.get(slug="basics"))
    before = _snapshot()
    export_course_folder(course, tmp_path / "out")
    report = import_course_folder(tmp_path / "out")
    assert report.problems == [] and report.created == [] and report.updated == []
    assert _snapshot() == before
    export_course_folder(course, tmp_path / "again")
    for path in (tmp_path / "out").iterdir():
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes()


def test_import_into_an_empty_database_recreates_the_course(course, tmp_path):
    Lesson.objects.get(slug="backprop").prerequisites.add(Lesson.objects.get(slug="basics"))
    before = _snapshot()
    export_course_folder(course, tmp_path)
    Course.objects.all().delete()
    report = import_course_folder(tmp_path)
    assert len(report.created) == 4
    assert _snapshot() == before


def _write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_every_problem_is_reported_by_file_and_line_and_nothing_is_imported(db, tmp_path):
    _write(tmp_path, "course.yaml", "title: T\nslug: t\ncolour: red\n")
    _write(tmp_path, "01-a.md", "---\ntitle: A\nslug: a\norder: -1\n---\nbody\n")
    _write(tmp_path, "02-b.md", "---\ntitle: B\nslug: Not A Slug\nprerequisites: [zzz]\n---\n")
    _write(tmp_path, "03-c.md", "no front matter\n")
    _write(tmp_path, "04-d.md", "---\ntitle: [unclosed\n---\n")
    report = import_course_folder(tmp_path)
    assert report.problems == [
        "course.yaml:3: unknown key 'colour'; allowed: title, slug, summary, description, order, published",
        "01-a.md:4: 'order' must be a whole number (0 or more)",
        "02-b.md:3: slug 'Not A Slug' must be lower-case letters, digits and dashes",
        "03-c.md:1: must start with a '---' line opening the front matter",
        "04-d.md:2: invalid YAML (expected ',' or ']', but got '<stream end>')",
        "02-b.md:4: prerequisite 'zzz' is not a lesson of this course",
    ]
    assert Course.objects.count() == 0 and Lesson.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_its_line(db, tmp_path):
    _write(tmp_path, "course.yaml", "title: T\nslug: t\n")
    (tmp_path / "01-a.md").write_bytes(b"---\ntitle: A\nslug: a\n---\nline\ncaf\xe9\n")
    problems = read_course_folder(tmp_path).problems
    assert problems == ["01-a.md:6: not UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_thai_code_page_mojibake_is_repaired_with_a_warning(db, tmp_path):
    original = (FIXTURES / "reference-lesson.txt").read_text(encoding="utf-8")
    garbled = decode_sloppy_cp874(original.encode("utf-8"))
    assert "┌" not in garbled
    assert repair(garbled) == (original, "windows-874")
    _write(tmp_path, "course.yaml", "title: T\nslug: t\npublished: true\n")
    _write(tmp_path, "01-ref.md", "---\ntitle: Ref\nslug: ref\npublished: true\n---\n" + garbled)
    report = import_course_folder(tmp_path)
    assert report.warnings == ["01-ref.md: the text was garbled (UTF-8 read as windows-874); repaired"]
    assert Lesson.objects.get(slug="ref").body == original


def test_clean_text_and_real_thai_are_left_alone():
    for text in ["plain ascii", "┌─┐ x₁ Σ σ", "สวัสดีครับ", "naïve café"]:
        assert repair(text) == (text, None)


def test_latin1_mojibake_is_repaired_through_ftfy():
    assert repair("naÃ¯ve cafÃ©") == ("naïve café", "ftfy")


def test_commands_report_problems_and_round_trip(course, tmp_path):
    out = StringIO()
    call_command("export_course", "nn", str(tmp_path), stdout=out)
    assert "wrote 4 files" in out.getvalue()
    out = StringIO()
    call_command("import_course", str(tmp_path), stdout=out)
    assert "0 created, 0 updated, 4 unchanged" in out.getvalue()
    with pytest.raises(CommandError, match="There is no course 'nope'"):
        call_command("export_course", "nope", str(tmp_path))
    (tmp_path / "course.yaml").write_text("title: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_course", str(tmp_path), stderr=StringIO())


def test_the_demo_course_imports_cleanly_and_covers_the_reference_ground(db):
    report = import_course_folder(DEMO)
    assert report.problems == [] and report.warnings == []
    course = Course.objects.get(slug="neural-networks-basics")
    lessons = list(course.lessons.order_by("order"))
    assert [l.slug for l in lessons][:3] == ["artificial-neural-networks", "loss-functions-and-gradient-descent", "training-in-practice"]
    assert any(l.is_pro for l in lessons) and course.published
    basics = lessons[0].body
    for char in ["┌", "─", "╲", "►", "₁", "Σ", "σ"]:
        assert char in basics
    for topic in ["sigmoid", "tanh", "ReLU", "softmax", "backprop"]:
        assert topic.lower() in basics.lower()
