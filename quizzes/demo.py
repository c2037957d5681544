"""Demo quizzes for the demo course ``neural-networks-basics``, loaded by ``manage.py load_demo``."""

from django.db import transaction

from lessons.models import Lesson

from . import services
from .models import Quiz

C = lambda text, correct=False, feedback="": {"text": text, "is_correct": correct, "feedback": feedback}  # noqa: E731
ITEM = lambda text, position: {"text": text, "position": position}  # noqa: E731

DEMO_QUIZZES = [
    {
        "slug": "artificial-neural-networks-quiz",
        "lesson": "artificial-neural-networks",
        "title": "Quick quiz: artificial neural networks",
        "description": "Check the basics: what a neuron computes, activations, the forward and backward pass.",
        "settings": {"attempts_allowed": None, "grading_policy": "highest", "pass_percent": 60.0,
                     "review_detail": "full", "review_when": "immediately"},
        "questions": [
            {
                "kind": "single", "points": 2,
                "text": "What is backpropagation used for in neural networks?",
                "explanation": "Backpropagation applies the chain rule layer by layer, from the loss back to the "
                "inputs, to get the gradient of the loss with respect to every weight and bias. An optimiser "
                "such as gradient descent then uses these gradients to adjust the weights and reduce the error.",
                "choices": [
                    C("Computing the gradient of the loss with respect to every weight, so the weights can be "
                      "adjusted to reduce the error", True, "Right: it is how the network learns from its error."),
                    C("Passing the inputs forward through the layers to make a prediction", False,
                      "That is the forward pass; backpropagation goes the other way, from the loss back."),
                    C("Choosing how many layers and neurons the network should have", False,
                      "The architecture is chosen by you (a hyperparameter), not learned by backpropagation."),
                    C("Scaling the input features to a similar range before training", False,
                      "That is input normalisation, a preprocessing step."),
                ],
            },
            {
                "kind": "multiple", "scoring_rule": "right_minus_wrong",
                "text": "Which of these are activation functions?",
                "explanation": "Sigmoid, tanh and ReLU are applied to a neuron's weighted sum. Mean squared error "
                "is a loss function and gradient descent is an optimisation method.",
                "choices": [C("Sigmoid", True), C("tanh", True), C("ReLU", True),
                            C("Mean squared error", False, "A loss: it compares predictions with targets."),
                            C("Gradient descent", False, "An optimiser: it uses gradients to update weights.")],
            },
            {
                "kind": "true_false",
                "text": "A single neuron computes a weighted sum of its inputs plus a bias, then applies an "
                "activation function: a = f(w·x + b).",
                "explanation": "That is the whole neuron: the weights and the bias are what training learns.",
                "key": {"answer": True, "feedback_false": "Look again at the neuron diagram: sum, bias, activation."},
            },
            {
                "kind": "numeric",
                "text": "A neuron has weights w = (0.5, -1), bias b = 0.5 and ReLU activation. What does it output "
                "for the input x = (2, 1)?",
                "explanation": "w·x + b = 0.5·2 + (-1)·1 + 0.5 = 0.5, and ReLU(0.5) = 0.5.",
                "key": {"answers": [{"value": 0.5, "tolerance": 0.01, "mode": "absolute", "fraction": 1.0}]},
            },
            {
                "kind": "ordering", "scoring_rule": "positions",
                "text": "Put the steps of one training iteration in order.",
                "explanation": "Predict (forward pass), measure the error (loss), get the gradients (backward pass), "
                "then change the weights (update).",
                "choices": [ITEM("Forward pass: compute the prediction", 1), ITEM("Compute the loss", 2),
                            ITEM("Backward pass: compute the gradients", 3), ITEM("Update the weights", 4)],
            },
            {
                "kind": "short_text",
                "text": "Which activation function turns a vector of scores into probabilities that sum to 1?",
                "explanation": "Softmax exponentiates each score and divides by the sum of the exponentials.",
                "key": {"answers": [{"text": "softmax", "fraction": 1.0}],
                        "patterns": [{"regex": r"soft[- ]?max( function)?", "fraction": 1.0}],
                        "case_sensitive": False},
            },
            {
                "kind": "single",
                "text": "Why do deeper networks often do better than a single wide hidden layer?",
                "explanation": "Each layer builds features out of the previous layer's features, so a deep network "
                "can represent complex functions with far fewer neurons than a shallow one.",
                "choices": [
                    C("Each layer can combine the previous layer's features into more abstract ones", True),
                    C("More layers always train faster", False, "Deeper networks are usually harder to train."),
                    C("Depth removes the need for activation functions", False,
                      "Without non-linear activations, any number of layers collapses into one linear map."),
                ],
            },
        ],
    },
    {
        "slug": "loss-functions-and-gradient-descent-quiz",
        "lesson": "loss-functions-and-gradient-descent",
        "title": "Quiz: loss functions and gradient descent",
        "description": "Losses, gradients and learning rates. 10 minutes, 3 attempts; your highest attempt counts.",
        "settings": {"attempts_allowed": 3, "grading_policy": "highest", "pass_percent": 60.0,
                     "time_limit_seconds": 600, "review_detail": "full", "review_when": "immediately"},
        "questions": [
            {
                "kind": "numeric",
                "text": "Gradient descent with learning rate 0.1: the weight is w = 2 and dL/dw = 4. What is w after "
                "one step?",
                "explanation": "w ← w − η·dL/dw = 2 − 0.1·4 = 1.6.",
                "key": {"answers": [{"value": 1.6, "tolerance": 0.001, "mode": "absolute", "fraction": 1.0}]},
            },
            {
                "kind": "single",
                "text": "Which loss is the usual choice for multi-class classification with softmax outputs?",
                "explanation": "Cross-entropy measures how much probability the network puts on the right class.",
                "choices": [C("Cross-entropy", True), C("Mean squared error", False, "Usual for regression."),
                            C("Hinge loss", False, "Used by support vector machines.")],
            },
            {
                "kind": "true_false",
                "text": "A larger learning rate always makes training converge faster.",
                "explanation": "Too large a learning rate overshoots the minimum; the loss can oscillate or diverge.",
                "key": {"answer": False},
            },
            {
                "kind": "multiple",
                "text": "The training loss became NaN. Which of these can help?",
                "explanation": "Smaller steps, clipped gradients and well-scaled inputs keep the updates finite.",
                "choices": [C("Lower the learning rate", True), C("Clip the gradients", True),
                            C("Normalise the inputs", True),
                            C("Raise the learning rate", False, "Larger steps make divergence worse.")],
            },
            {
                "kind": "short_text",
                "text": "What is the name of the loss (1/n) Σ (y − ŷ)²?",
                "explanation": "The mean of the squared errors: mean squared error (MSE).",
                "key": {"answers": [{"text": "mean squared error", "fraction": 1.0}, {"text": "MSE", "fraction": 1.0},
                                    {"text": "mean square error", "fraction": 1.0}]},
            },
        ],
    },
    {
        "slug": "training-in-practice-quiz",
        "lesson": "training-in-practice",
        "title": "Quiz: training in practice",
        "description": "Overfitting, early stopping and regularisation (Pro lesson).",
        "settings": {"attempts_allowed": 2, "grading_policy": "latest", "pass_percent": 70.0,
                     "review_detail": "correctness", "review_when": "immediately"},
        "questions": [
            {
                "kind": "single",
                "text": "Which sign shows that a network is overfitting?",
                "explanation": "The network memorises the training set: training loss falls, validation loss rises.",
                "choices": [C("Training loss keeps falling while validation loss rises", True),
                            C("Both losses fall together", False), C("Both losses stay high", False,
                                                                     "That is underfitting.")],
            },
            {
                "kind": "ordering", "scoring_rule": "adjacent_pairs",
                "text": "Put the steps of early stopping in order.",
                "explanation": "Evaluate on validation after each epoch, keep the best weights, stop when patience "
                "runs out, then restore the best weights.",
                "choices": [ITEM("Train for one epoch", 1), ITEM("Evaluate the validation loss", 2),
                            ITEM("Keep the weights if the validation loss is the best so far", 3),
                            ITEM("Stop when it has not improved for 'patience' epochs", 4)],
            },
            {
                "kind": "true_false",
                "text": "Dropout is switched off when the trained network makes predictions.",
                "explanation": "At test time every neuron is used (with scaled activations).",
                "key": {"answer": True},
            },
        ],
    },
]


def load(stdout):
    """Create the demo quizzes, attached to the demo lessons; running it again changes nothing."""
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(slug__in=[q["lesson"] for q in DEMO_QUIZZES])}
    for spec in DEMO_QUIZZES:
        lesson = lessons.get(spec["lesson"])
        if lesson is None:
            stdout.write(f"demo quiz {spec['slug']}: no lesson {spec['lesson']!r} yet; the quiz is not attached")
        with transaction.atomic():
            quiz = Quiz.objects.filter(slug=spec["slug"]).first()
            if quiz is None:
                quiz = services.quiz_create(created_by=None, title=spec["title"], slug=spec["slug"],
                                            description=spec["description"], lesson=lesson, published=True,
                                            **spec["settings"])
                action = "created"
            else:
                action = "kept"
                if quiz.lesson_id is None and lesson is not None:
                    quiz.lesson = lesson
                    quiz.save(update_fields=["lesson"])
                    action = "attached"
            if not quiz.questions.exists():
                for order, question in enumerate(spec["questions"], start=1):
                    services.question_create(quiz=quiz, order=order, **question)
        stdout.write(f"{action} demo quiz {quiz.slug} ({quiz.questions.count()} questions)")
