"""The demo course, shipped as a content folder and imported by ``manage.py load_demo``."""

from pathlib import Path

from .content_files import COURSE_FILE, import_course_folder
from .models import Course

DEMO_COURSES = [Path(__file__).resolve().parent / "content" / "neural-networks-basics"]


def load(stdout):
    """Import the demo course folders not yet in the database (edits made since are kept)."""
    import yaml

    for folder in DEMO_COURSES:
        slug = yaml.safe_load((folder / COURSE_FILE).read_text(encoding="utf-8"))["slug"]
        if Course.objects.filter(slug=slug).exists():
            stdout.write(f"demo course {slug} is already there (import_course {folder} refreshes it)")
            continue
        report = import_course_folder(folder)
        if report.problems:
            raise RuntimeError(f"The demo course {folder.name} has problems: " + "; ".join(report.problems))
        stdout.write(f"demo course {folder.name}: {len(report.created)} created, {len(report.updated)} updated")
