"""Celery tasks of the quizzes app: regrade a question, submit attempts whose time ran out."""

from celery import shared_task


@shared_task(name="quizzes.regrade_question")
def regrade_question(regrade_id):
    """Re-score every graded attempt of the regrade's question; a finished regrade is left as it is."""
    from .models import Regrade
    from .services import regrade_run

    try:
        regrade = regrade_run(regrade_id=regrade_id)
    except Regrade.DoesNotExist:
        return {"regrade": regrade_id, "state": "missing"}
    except Exception as exc:
        Regrade.objects.filter(pk=regrade_id).exclude(state=Regrade.State.DONE).update(
            state=Regrade.State.FAILED, error=str(exc)[:2000]
        )
        raise
    return {"regrade": regrade.pk, "state": regrade.state, "attempts_regraded": regrade.attempts_regraded,
            "attempts_changed": regrade.attempts_changed}


@shared_task(name="quizzes.close_overdue_attempts")
def close_overdue_attempts():
    """Submit every open attempt past its deadline with the answers saved before it (run it every minute)."""
    from .services import attempts_close_overdue

    return {"closed": attempts_close_overdue()}
