"""Write a course to a folder: course.yaml and one Markdown file with front matter per lesson."""

from django.core.management.base import BaseCommand, CommandError

from lessons.content_files import export_course_folder
from lessons.models import Course


class Command(BaseCommand):
    help = "Export the course SLUG to the folder DIR (created if missing)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("directory")

    def handle(self, *args, slug, directory, **options):
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            known = ", ".join(Course.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"There is no course '{slug}' (courses: {known}).")
        files = export_course_folder(course, directory)
        self.stdout.write(f"wrote {len(files)} files to {directory}")
