"""Quizzes: questions, attempts, grading and item analytics."""
