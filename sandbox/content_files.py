"""Training assignments in a course folder: an optional ``assignments.yaml`` beside ``course.yaml``.

The file is a YAML list; each item has ``lesson`` (a lesson slug of the course) and the assignment's
fields (see ``sandbox.authoring.ASSIGNMENT_FIELDS``)::

    - slug: separate-the-spirals
      lesson: artificial-neural-networks
      title: Separate the spirals
      kind: config
      dataset: {name: spirals, samples: 1000, classes: 3, noise: 0.2, seed: 1}
      hidden_test: {samples: 600, seed: 777001}
      rubric: {metric: accuracy, thresholds: [{at: 0.85, fraction: 0.6}, {at: 0.95, fraction: 1.0}]}

The course folder's reader and writer (``lessons.content_files``) call these functions.
"""

import yaml

from .authoring import ASSIGNMENT_FIELDS, AssignmentError, assignment_save, check_assignment
from .models import Assignment

ASSIGNMENTS_FILE = "assignments.yaml"
_DEFAULTS = {"instructions": "", "is_pro": False, "published": False, "order": 0, "points": 10, "dataset": None,
             "hidden_test": None, "limits": {}, "starter_spec": None, "rubric": None, "exercise": "",
             "exercise_params": {}, "starter_code": ""}


def read_assignments(text, *, lesson_slugs, problems):
    """Parse and check ``assignments.yaml``; append "assignments.yaml:LINE: ..." problems; return the entries."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(f"{ASSIGNMENTS_FILE}:{mark.line + 1 if mark else 1}: invalid YAML ({getattr(exc, 'problem', None) or exc})")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{ASSIGNMENTS_FILE}:1: expected a list of assignments")
        return []
    entries, seen = [], set()
    for node, item in zip(root.value, data):
        line = node.start_mark.line + 1
        where = f"{ASSIGNMENTS_FILE}:{line}"
        if not isinstance(item, dict):
            problems.append(f"{where}: each assignment is a mapping of fields")
            continue
        unknown = sorted(set(item) - set(ASSIGNMENT_FIELDS) - {"lesson"})
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
            continue
        missing = [key for key in ("slug", "title", "kind", "lesson") if key not in item]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["lesson"] not in lesson_slugs:
            problems.append(f"{where}: lesson '{item['lesson']}' is not a lesson of this course")
            continue
        if item["slug"] in seen:
            problems.append(f"{where}: the slug '{item['slug']}' is listed twice")
            continue
        seen.add(item["slug"])
        fields = {**_DEFAULTS, **{k: v for k, v in item.items() if k != "lesson"}}
        try:
            check_assignment(fields)
        except AssignmentError as exc:
            problems.extend(f"{where}: {field}: {message}" for field, message in exc.errors.items())
            continue
        entries.append({"lesson": item["lesson"], "fields": fields})
    return entries


def import_assignments(entries, *, lessons, report):
    """Create or update the checked ``entries``; ``lessons`` maps slugs to saved lessons."""
    for entry in entries:
        fields = dict(entry["fields"])
        lesson = lessons[entry["lesson"]]
        current = Assignment.objects.filter(slug=fields["slug"]).first()
        name = f"assignment {fields['slug']}"
        if current is None:
            assignment_save(lesson=lesson, **fields)
            report.created.append(name)
        elif current.lesson_id != lesson.pk or any(getattr(current, k) != v for k, v in fields.items()):
            assignment_save(assignment=current, lesson=lesson, **fields)
            report.updated.append(name)
        else:
            report.unchanged.append(name)


def export_assignments(course):
    """Return the ``assignments.yaml`` text for the course's assignments, or None if it has none."""
    assignments = Assignment.objects.filter(lesson__course=course).select_related("lesson").order_by("lesson__order", "order", "id")
    items = []
    for assignment in assignments:
        item = {"slug": assignment.slug, "lesson": assignment.lesson.slug}
        item.update({name: _sorted(getattr(assignment, name)) for name in ASSIGNMENT_FIELDS if name != "slug"
                     and getattr(assignment, name) != _DEFAULTS.get(name, object())})
        items.append(item)
    if not items:
        return None
    return yaml.dump(items, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def _sorted(value):
    """Return JSON data with every object's keys sorted: Postgres (jsonb) keeps no key order, so an
    export is the same text whichever database it comes from."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


class _BlockDumper(yaml.SafeDumper):
    """Write multi-line text (starter code) as a literal block, the way an author would type it."""


def _text(dumper, value):
    style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.splitlines()) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _text)
