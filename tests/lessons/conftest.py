"""Fixtures for the lessons tests: a published course with free, Pro and draft lessons."""

from pathlib import Path

import pytest

from lessons import services

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DIAGRAM_CHARS = ["┌", "─", "╲", "►", "₁", "Σ", "σ"]


def reference_diagrams():
    """Return the two box-drawing diagrams of the reference lesson, each as one string."""
    text = (FIXTURES / "reference-lesson.txt").read_text(encoding="utf-8")
    headings = ["Structure of a Neural Network", "How a Single Neuron Works", "Activation Functions"]
    blocks = []
    for start, end in zip(headings, headings[1:]):
        section = text.split(f"\n{start}\n", 1)[1].split(f"\n{end}\n", 1)[0]
        blocks.append(section.strip("\n"))
    return blocks


@pytest.fixture
def course(db):
    course = services.course_save(title="Neural Networks", slug="nn", summary="Networks from scratch", published=True)
    network, neuron = reference_diagrams()
    services.lesson_save(course=course, title="Basics", slug="basics", summary="Neurons in layers", order=1,
                         published=True, body=f"## Structure\n\nLayers.\n\n```text\n{network}\n```\n\n"
                         f"## One neuron\n\n```\n{neuron}\n```\n\n## Activations\n\nσ and friends.\n")
    services.lesson_save(course=course, title="Backprop", slug="backprop", summary="Gradients", order=2, published=True,
                         body="## Chain rule\n\nSECRET-PRO-BODY about gradients.\n", is_pro=True)
    services.lesson_save(course=course, title="Draft one", slug="draft", summary="Not ready", order=3, published=False,
                         body="DRAFT-BODY-TEXT\n")
    return course
