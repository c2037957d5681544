"""The lab's forms: a network spec built from fields (no JavaScript needed), or code for an exercise."""

import json

from django import forms

ACTIVATIONS = [(a, a) for a in ("tanh", "relu", "leaky_relu", "sigmoid", "linear")]
OUTPUTS = [("softmax", "softmax (classes)"), ("sigmoid", "sigmoid (two classes)"), ("linear", "linear (regression)")]
LOSSES = [("cross_entropy", "cross-entropy"), ("binary_cross_entropy", "binary cross-entropy"), ("mse", "mean squared error")]
OPTIMIZERS = [(o, o) for o in ("adam", "sgd", "momentum", "rmsprop")]
DATASETS = [(d, d) for d in ("spirals", "moons", "circles", "xor", "blobs", "digits", "sine")]
LAYER_ROWS = 4


class SpecForm(forms.Form):
    """A training spec as form fields. With ``fixed_dataset`` (an assignment) the dataset fields are hidden."""

    dataset = forms.ChoiceField(choices=DATASETS, initial="spirals")
    samples = forms.IntegerField(min_value=10, max_value=50_000, initial=1000)
    classes = forms.IntegerField(min_value=2, max_value=10, initial=3, required=False, help_text="For spirals and blobs.")
    noise = forms.FloatField(min_value=0, max_value=5, initial=0.2, required=False)
    output = forms.ChoiceField(choices=OUTPUTS, initial="softmax")
    loss = forms.ChoiceField(choices=LOSSES, initial="cross_entropy")
    optimizer = forms.ChoiceField(choices=OPTIMIZERS, initial="adam")
    learning_rate = forms.FloatField(min_value=1e-6, max_value=100, initial=0.01)
    epochs = forms.IntegerField(min_value=1, max_value=100_000, initial=100)
    batch_size = forms.IntegerField(min_value=1, max_value=100_000, initial=32)
    validation_split = forms.FloatField(min_value=0, max_value=0.9, initial=0.2)
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0)

    def __init__(self, *args, fixed_dataset=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_dataset = fixed_dataset
        for index in range(LAYER_ROWS):
            self.fields[f"units_{index}"] = forms.IntegerField(min_value=1, max_value=4096, required=False, label=f"Layer {index + 1} units")
            self.fields[f"activation_{index}"] = forms.ChoiceField(choices=ACTIVATIONS, required=False, label=f"Layer {index + 1} activation")
        if fixed_dataset:
            for name in ("dataset", "samples", "classes", "noise"):
                del self.fields[name]

    def layer_rows(self):
        return [(self[f"units_{i}"], self[f"activation_{i}"]) for i in range(LAYER_ROWS)]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"units_{i}") for i in range(LAYER_ROWS)):
            self.add_error("units_0", "Give the network at least one hidden layer.")
        return cleaned

    def spec(self):
        """Return the spec these fields describe (validated by the engine when submitted)."""
        data = self.cleaned_data
        layers = [{"units": data[f"units_{i}"], "activation": data.get(f"activation_{i}") or "tanh"}
                  for i in range(LAYER_ROWS) if data.get(f"units_{i}")]
        spec = {
            "model": {"layers": layers, "output": data["output"]},
            "loss": data["loss"],
            "optimizer": {"name": data["optimizer"], "learning_rate": data["learning_rate"]},
            "training": {"epochs": data["epochs"], "batch_size": data["batch_size"],
                         "validation_split": data["validation_split"], "seed": data["seed"]},
        }
        if not self.fixed_dataset:
            dataset = {"name": data["dataset"], "samples": data["samples"], "seed": 1}
            if data["dataset"] in ("spirals", "blobs") and data.get("classes"):
                dataset["classes"] = data["classes"]
            if data.get("noise") is not None:
                dataset["noise"] = data["noise"]
            spec["dataset"] = dataset
        return spec

    @classmethod
    def initial_from_spec(cls, spec):
        """Return form initial values that reproduce ``spec`` (a starter spec or an earlier run)."""
        spec = spec or {}
        model, optimizer, training = spec.get("model", {}), spec.get("optimizer", {}), spec.get("training", {})
        dataset = spec.get("dataset") or {}
        initial = {
            "output": model.get("output", "softmax"), "loss": spec.get("loss", "cross_entropy"),
            "optimizer": optimizer.get("name", "adam"), "learning_rate": optimizer.get("learning_rate", 0.01),
            "epochs": training.get("epochs", 100), "batch_size": training.get("batch_size", 32),
            "validation_split": training.get("validation_split", 0.2), "seed": training.get("seed", 0),
        }
        for key in ("name", "samples", "classes", "noise"):
            if key in dataset:
                initial["dataset" if key == "name" else key] = dataset[key]
        for index, layer in enumerate(model.get("layers", [])[:LAYER_ROWS]):
            initial[f"units_{index}"] = layer.get("units")
            initial[f"activation_{index}"] = layer.get("activation", "tanh")
        return initial


class CodeForm(forms.Form):
    code = forms.CharField(widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code-editor"}),
                           strip=False, max_length=50_000)


def spec_as_json(spec):
    return json.dumps(spec, indent=2, ensure_ascii=False)
