"""Courses as files in git: ``course.yaml`` plus one Markdown file per lesson with YAML front matter.

Layout of a course folder::

    course.yaml              title, slug, summary, description, order, published
    01-first-lesson.md       ---\\n<front matter>\\n---\\n<Markdown body>
    02-second-lesson.md
    assignments.yaml         optional: the training assignments of the lessons (sandbox.content_files)

Lesson front matter keys: title, slug, summary, order, estimated_minutes, is_pro, published,
prerequisites (a list of lesson slugs of the same course). Reading reports every problem with its file
and line and writes nothing when there is one; text misdecoded with the wrong code page is repaired and
reported as a warning.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from . import mojibake, services
from .models import Course, Lesson

COURSE_FILE = "course.yaml"
COURSE_KEYS = {"title": str, "slug": str, "summary": str, "description": str, "order": int, "published": bool}
LESSON_KEYS = {
    "title": str, "slug": str, "summary": str, "order": int, "estimated_minutes": int,
    "is_pro": bool, "published": bool, "prerequisites": list,
}
REQUIRED = {"title", "slug"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list"}


@dataclass
class CourseFolder:
    """What a course folder holds once read: the course's fields and each lesson's, with problems found."""

    course: dict = field(default_factory=dict)
    lessons: list = field(default_factory=list)  # [{"file": name, "fields": {...}, "prerequisites": [...]}]
    assignments: list = field(default_factory=list)  # checked entries of assignments.yaml (sandbox.content_files)
    problems: list = field(default_factory=list)  # ["01-x.md:3: message"]
    warnings: list = field(default_factory=list)


def _key_line(text, key, offset=0):
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number + offset
    return 1 + offset


def _check_mapping(data, keys, text, filename, problems, offset=0):
    if not isinstance(data, dict):
        problems.append(f"{filename}:{1 + offset}: expected key: value pairs")
        return {}
    for key in sorted(set(data) - set(keys)):
        problems.append(f"{filename}:{_key_line(text, key, offset)}: unknown key '{key}'; allowed: {', '.join(keys)}")
    for key in sorted(REQUIRED - set(data)):
        problems.append(f"{filename}:{1 + offset}: missing required key '{key}'")
    clean = {}
    for key, kind in keys.items():
        if key not in data:
            continue
        value = data[key]
        if value is None and kind is str:
            value = ""
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is int and ok and value < 0:
            ok = False
        if not ok:
            problems.append(f"{filename}:{_key_line(text, key, offset)}: '{key}' must be {_TYPE_NAMES[kind]}"
                            + (" (0 or more)" if kind is int else ""))
            continue
        if key == "slug" and not _SLUG.match(value):
            problems.append(f"{filename}:{_key_line(text, key, offset)}: slug '{value}' must be lower-case letters, digits and dashes")
            continue
        if key == "prerequisites" and not all(isinstance(item, str) for item in value):
            problems.append(f"{filename}:{_key_line(text, key, offset)}: prerequisites must be a list of lesson slugs")
            continue
        clean[key] = value
    return clean


def _read_text(path, folder):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        folder.problems.append(f"{path.name}:{line}: not UTF-8 (byte {exc.object[exc.start]:#04x}); save the file as UTF-8")
        return None
    fixed, codec = mojibake.repair(text)
    if codec:
        folder.warnings.append(f"{path.name}: the text was garbled (UTF-8 read as {codec}); repaired")
    return fixed


def _parse_yaml(text, filename, problems, offset=0):
    try:
        return yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1 if mark else 1) + offset
        problems.append(f"{filename}:{line}: invalid YAML ({getattr(exc, 'problem', None) or exc})")
        return None


def read_course_folder(directory):
    """Read and check a course folder; return a CourseFolder (check ``problems`` before using it)."""
    directory = Path(directory)
    folder = CourseFolder()
    if not directory.is_dir():
        folder.problems.append(f"{directory}: not a folder")
        return folder
    course_path = directory / COURSE_FILE
    if not course_path.is_file():
        folder.problems.append(f"{COURSE_FILE}:1: missing; a course folder needs a {COURSE_FILE}")
    else:
        text = _read_text(course_path, folder)
        if text is not None:
            data = _parse_yaml(text, COURSE_FILE, folder.problems)
            if data is not None:
                folder.course = _check_mapping(data, COURSE_KEYS, text, COURSE_FILE, folder.problems)
    slugs = {}
    for path in sorted(directory.glob("*.md")):
        text = _read_text(path, folder)
        if text is None:
            continue
        lines = text.split("\n")
        if not lines or lines[0].rstrip("\r") != "---":
            folder.problems.append(f"{path.name}:1: must start with a '---' line opening the front matter")
            continue
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r") == "---")
        except StopIteration:
            folder.problems.append(f"{path.name}:1: the front matter is not closed by a '---' line")
            continue
        front = "\n".join(lines[1:end])
        body = "\n".join(lines[end + 1 :])
        data = _parse_yaml(front, path.name, folder.problems, offset=1)
        if data is None:
            continue
        fields = _check_mapping(data, LESSON_KEYS, front, path.name, folder.problems, offset=1)
        prerequisites = fields.pop("prerequisites", [])
        fields["body"] = body
        slug = fields.get("slug")
        if slug in slugs:
            folder.problems.append(f"{path.name}:{_key_line(front, 'slug', 1)}: slug '{slug}' is also used by {slugs[slug]}")
        elif slug:
            slugs[slug] = path.name
        folder.lessons.append({"file": path.name, "fields": fields, "prerequisites": prerequisites, "front": front})
    for lesson in folder.lessons:
        for slug in lesson["prerequisites"]:
            if slug not in slugs:
                line = _key_line(lesson["front"], "prerequisites", 1)
                folder.problems.append(f"{lesson['file']}:{line}: prerequisite '{slug}' is not a lesson of this course")
    assignments_path = directory / "assignments.yaml"
    if assignments_path.is_file():
        # Training assignments belong to the sandbox app; it reads and checks its own file.
        from sandbox.content_files import read_assignments

        text = _read_text(assignments_path, folder)
        if text is not None:
            folder.assignments = read_assignments(text, lesson_slugs=set(slugs), problems=folder.problems)
    course_slug = folder.course.get("slug")
    if course_slug:
        clashes = Lesson.objects.filter(slug__in=list(slugs)).exclude(course__slug=course_slug).values_list("slug", "course__slug")
        for slug, other in clashes:
            folder.problems.append(f"{slugs[slug]}:1: slug '{slug}' already belongs to a lesson of the course '{other}'")
    return folder


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _apply(instance, fields):
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    return changed


def import_course_folder(directory):
    """Create or update a course and its lessons from ``directory``; import nothing if any file has a problem."""
    folder = read_course_folder(directory)
    report = ImportReport(warnings=folder.warnings, problems=folder.problems)
    if folder.problems:
        return report
    with transaction.atomic():
        course = Course.objects.filter(slug=folder.course["slug"]).first()
        if course is None:
            course = services.course_save(**folder.course)
            report.created.append(f"course {course.slug}")
        elif _apply(course, folder.course):
            services.course_save(course=course, **folder.course)
            report.updated.append(f"course {course.slug}")
        else:
            report.unchanged.append(f"course {course.slug}")
        saved = {}
        for entry in folder.lessons:
            fields = entry["fields"]
            lesson = Lesson.objects.filter(slug=fields["slug"]).first()
            if lesson is None:
                lesson = services.lesson_save(course=course, **fields)
                report.created.append(f"lesson {lesson.slug}")
            elif _apply(lesson, fields):
                services.lesson_save(lesson=lesson, **fields)
                report.updated.append(f"lesson {lesson.slug}")
            else:
                report.unchanged.append(f"lesson {lesson.slug}")
            saved[lesson.slug] = (lesson, entry["prerequisites"])
        for lesson, prerequisites in saved.values():
            current = sorted(lesson.prerequisites.values_list("slug", flat=True))
            if current != sorted(prerequisites):
                services.lesson_save(lesson=lesson, prerequisites=prerequisites)
                name = f"lesson {lesson.slug}"
                if name in report.unchanged:
                    report.unchanged.remove(name)
                    report.updated.append(name)
        if folder.assignments:
            from sandbox.content_files import import_assignments

            import_assignments(folder.assignments, lessons={slug: pair[0] for slug, pair in saved.items()}, report=report)
    return report


def _dump_yaml(data):
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def export_course_folder(course, directory):
    """Write ``course`` and its lessons to ``directory`` in the course-folder layout; return the files written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    course_data = {name: getattr(course, name) for name in COURSE_KEYS}
    (directory / COURSE_FILE).write_text(_dump_yaml(course_data), encoding="utf-8")
    written.append(COURSE_FILE)
    lessons = list(course.lessons.order_by("order", "id").prefetch_related("prerequisites"))
    width = max(2, len(str(len(lessons))))
    for position, lesson in enumerate(lessons, start=1):
        front = {name: getattr(lesson, name) for name in LESSON_KEYS if name != "prerequisites"}
        front["prerequisites"] = sorted(p.slug for p in lesson.prerequisites.all())
        name = f"{position:0{width}d}-{lesson.slug}.md"
        (directory / name).write_text(f"---\n{_dump_yaml(front)}---\n{lesson.body}", encoding="utf-8")
        written.append(name)
    from sandbox.content_files import export_assignments

    assignments = export_assignments(course)
    if assignments is not None:
        (directory / "assignments.yaml").write_text(assignments, encoding="utf-8")
        written.append("assignments.yaml")
    return written
