"""The lab: submit a training run, watch its progress bar and loss curves, see the boundary and the grade."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import plan_limits
from lessons.rendering import render_markdown

from . import charts, selectors, services
from .forms import CodeForm, SpecForm, spec_as_json
from .models import Assignment, TrainingJob

POINTS_DRAWN = 300


def _assignment_or_404(slug, user):
    assignment = selectors.assignments_visible(user=user).filter(slug=slug).first()
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def _past_runs(user, assignment, limit=5):
    jobs = TrainingJob.objects.filter(user=user, assignment=assignment).only(
        "id", "status", "created_at", "history", "score", "grade", "kind", "reason")
    return list(jobs[:limit])


@login_required
@require_http_methods(["GET", "POST"])
def lab(request, slug=None):
    """Show the lab for an assignment (or free play) and submit a run from its form."""
    assignment = _assignment_or_404(slug, request.user) if slug else None
    code_mode = assignment is not None and assignment.kind == Assignment.Kind.CODE
    last = TrainingJob.objects.filter(user=request.user, assignment=assignment).first()
    if code_mode:
        form = CodeForm(request.POST or None, initial={"code": (last.code if last else "") or assignment.starter_code})
    else:
        starting = (last.spec if last else None) or (assignment.starter_spec if assignment else None)
        form = SpecForm(request.POST or None, fixed_dataset=assignment is not None,
                        initial=SpecForm.initial_from_spec(starting) if starting else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if code_mode:
                    job = services.job_submit(user=request.user, assignment=assignment, code=form.cleaned_data["code"])
                else:
                    job = services.job_submit(user=request.user, assignment=assignment, spec=form.spec())
            except services.JobRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("lab-job", job_id=job.pk)
        else:
            status = 400
    runs = _past_runs(request.user, assignment)
    context = {
        "assignment": assignment,
        "instructions": render_markdown(assignment.instructions).html if assignment and assignment.instructions else "",
        "form": form,
        "code_mode": code_mode,
        "runs": runs,
        "chart": charts.loss_chart([_run(job, i) for i, job in enumerate(runs) if job.history]) if runs else "",
        "dataset_json": spec_as_json(assignment.dataset) if assignment and assignment.dataset else "",
        "plan": plan_limits(user=request.user),
    }
    return render(request, "sandbox/lab.html", context, status=status)


def _run(job, index):
    label = f"run {job.created_at:%H:%M:%S}" + (f" · {job.score:g}" if job.score is not None else "")
    return {"label": label, "history": job.history or {}}


def _points(job):
    """Return up to POINTS_DRAWN training points of a 2-D dataset, regenerated from the job's spec."""
    from sandbox.engine import make_dataset

    dataset = (job.spec or {}).get("dataset")
    if not dataset:
        return []
    try:
        X, y = make_dataset(dataset)
    except Exception:  # the picture is optional; the job's own result does not depend on it
        return []
    if X.shape[1] != 2:
        return []
    step = max(1, len(X) // POINTS_DRAWN)
    return [(float(a), float(b), int(c)) for (a, b), c in zip(X[::step], y[::step])]


def _job_context(request, job):
    runs = [job] + [r for r in _past_runs(job.user, job.assignment, limit=6) if r.pk != job.pk][:4]
    grid = (job.result or {}).get("decision_grid")
    progress = job.progress or {}
    epochs = progress.get("epochs") or ((job.spec or {}).get("training") or {}).get("epochs") or 0
    done = len((job.history or {}).get("epoch", [])) if job.is_finished else (progress.get("epoch") or 0)
    return {
        "job": job,
        "percent": 100 if job.status == TrainingJob.Status.SUCCEEDED else (round(100 * done / epochs) if epochs else 0),
        "epoch": done,
        "epochs": epochs,
        "chart": charts.loss_chart([_run(r, i) for i, r in enumerate(runs)]) if job.kind == TrainingJob.Kind.SPEC else "",
        "boundary": charts.decision_boundary(grid, _points(job)) if grid and job.is_finished else "",
        "is_owner": job.user_id == request.user.pk,
    }


@login_required
def job_page(request, job_id):
    """Show one run: live progress while it runs, then curves, boundary, grade and output."""
    job = selectors.job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    return render(request, "sandbox/job.html", _job_context(request, job))


@login_required
def job_panel(request, job_id):
    """Return the live part of the job page (polled by the page's script)."""
    job = selectors.job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    response = render(request, "sandbox/_job_panel.html", _job_context(request, job))
    response["X-Job-Finished"] = "1" if job.is_finished else "0"
    return response


@login_required
@require_POST
def job_cancel(request, job_id):
    job = selectors.job_for(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    try:
        services.job_cancel(job=job, user=request.user)
    except services.JobRefused as exc:
        if exc.status == 403:
            return HttpResponseForbidden(exc.message)
        messages.info(request, exc.message)
    else:
        messages.info(request, "Cancelled." if job.status == TrainingJob.Status.CANCELLED else "Cancelling…")
    return redirect("lab-job", job_id=job.pk)


@login_required
def assignment_scores(request, slug):
    """The assignment's author and staff: each learner's best score and runs on it."""
    if not request.user.is_instructor:
        return HttpResponseForbidden("Only instructors see score tables.")
    assignment = Assignment.objects.filter(slug=slug).first()
    if assignment is None:
        raise Http404("No such assignment.")
    if not selectors.is_author(user=request.user, assignment=assignment):
        return HttpResponseForbidden("Only the assignment's author and staff see its scores.")
    rows = selectors.assignment_scores(assignment=assignment)
    return render(request, "sandbox/scores.html", {"assignment": assignment, "rows": rows})
