"""Import a GIFT file of questions into a quiz: all questions, or none with every problem by line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes import services
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Import the questions of a Moodle GIFT file into a quiz (nothing is imported if any is wrong)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A UTF-8 GIFT text file.")
        parser.add_argument("--quiz", type=int, required=True, help="The id of the quiz that receives the questions.")

    def handle(self, *args, file, quiz, **options):
        try:
            target = Quiz.objects.get(pk=quiz)
        except Quiz.DoesNotExist:
            raise CommandError(f"No quiz with id {quiz}.") from None
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            created, warnings = services.questions_import_gift(quiz=target, text=text)
        except services.QuizError as exc:
            for problem in exc.errors.get("file", []):
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: nothing was imported ({len(exc.errors.get('file', [])) or 1} problem(s)).") from None
        for warning in warnings:
            self.stderr.write(f"{file}: warning: {warning}")
        self.stdout.write(f"Imported {len(created)} question(s) into quiz {target.pk} ({target}).")
