"""Create or update a course from a course folder (course.yaml plus Markdown lessons)."""

from django.core.management.base import BaseCommand, CommandError

from lessons.content_files import import_course_folder


class Command(BaseCommand):
    help = "Import a course folder; reports every problem by file and line and imports nothing if there is one."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The course folder (holding course.yaml).")

    def handle(self, *args, directory, **options):
        report = import_course_folder(directory)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"error: {problem}")
            raise CommandError(f"{len(report.problems)} problem(s) found; nothing was imported.")
        self.stdout.write(
            f"imported {directory}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
        for line in report.created + report.updated:
            self.stdout.write(f"  {line}")
