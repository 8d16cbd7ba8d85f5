"""`/runs/schedules/`: the account's schedules, the create form with its preview, pause, resume, delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_POST

from accounts.access import account_required, get_for_account, has_role, role_required
from accounts.models import ENGINEER_OR_ADMIN
from maintenance import recurrence as recurrences
from maintenance import selectors, services
from maintenance.forms import RecurrenceForm, ScheduleForm, procedures
from maintenance.models import Schedule
from maintenance.views import submit_form
from resolutionflow.htmx import first_form_error, toast

PAGE = "maintenance/schedules.html"


def _schedule(request, schedule_id) -> Schedule:
    return get_for_account(Schedule, request.user, pk=schedule_id)


def _page(request, form: ScheduleForm, status: int = 200):
    can_work = has_role(request.user, ENGINEER_OR_ADMIN)
    context = {"schedules": selectors.schedule_rows(request.user), "can_work": can_work}
    if can_work:
        # The preview of what the form holds (weekly from now when blank), also without JavaScript.
        shown = RecurrenceForm(form.data if form.is_bound else {"repeat": "weekly"})
        context.update(form=form, has_procedures=procedures(request.user).exists(), preview=_preview(shown))
    return render(request, PAGE, context, status=status)


def _preview(form: RecurrenceForm) -> dict:
    """The rule in words and its next three due times, or the first problem with it."""
    if not form.is_valid():
        return {"error": first_form_error(form)}
    rule = form.cleaned_data["recurrence"]
    first = form.cleaned_data["first_due"] or recurrences.next_due(rule, timezone.now())
    return {"words": recurrences.describe(rule, first), "times": recurrences.upcoming(rule, first)}


@require_GET
@account_required
def schedule_list(request):
    return _page(request, ScheduleForm(user=request.user))


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def schedule_preview(request):
    """htmx: the preview fragment for the recurrence fields as typed (200 also when they are wrong)."""
    return render(request, f"{PAGE}#preview", {"preview": _preview(RecurrenceForm(request.GET))})


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def schedule_create(request):
    form = ScheduleForm(request.POST, user=request.user)
    schedule = submit_form(
        request,
        form,
        lambda data: services.create_schedule(
            request.user,
            flow_id=data["flow"].pk,
            targets=data["targets"],
            recurrence=data["recurrence"],
            assignee=data["assignee"],
            next_due_at=data["first_due"],
        ),
    )
    if schedule is None:
        return _page(request, form, status=400)
    words = recurrences.describe(schedule.recurrence, schedule.next_due_at, schedule.day_of_month)
    messages.success(request, f"Schedule created: {words}. First run due {_when(schedule)}.")
    return redirect(f"{reverse('maintenance:schedules')}#schedule-{schedule.pk}")


def _when(schedule: Schedule) -> str:
    return date_format(timezone.localtime(schedule.next_due_at), "D j M Y, H:i")


def _changed(request, schedule: Schedule, message: str):
    """htmx gets the schedule's row (its toggle focused) and a toast; a plain post goes back to the list."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{reverse('maintenance:schedules')}#schedule-{schedule.pk}")
    rows = selectors.schedule_rows(request.user, pk=schedule.pk)
    if not rows:  # deleted by someone else in between
        raise Http404("Not found.")
    response = render(request, f"{PAGE}#row", {"schedule": rows[0], "can_work": True, "focus_toggle": True})
    return toast(response, message)


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def schedule_pause(request, schedule_id):
    schedule = services.pause_schedule(request.user, _schedule(request, schedule_id))
    return _changed(request, schedule, "Schedule paused: it creates no runs until resumed.")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def schedule_resume(request, schedule_id):
    schedule = services.resume_schedule(request.user, _schedule(request, schedule_id))
    return _changed(request, schedule, f"Schedule resumed: next run due {_when(schedule)}.")


@require_POST
@role_required(ENGINEER_OR_ADMIN)
def schedule_delete(request, schedule_id):
    made = services.delete_schedule(request.user, _schedule(request, schedule_id))
    kept = {0: "", 1: " The run it created stays."}.get(made, f" The {made} runs it created stay.")
    messages.success(request, f"Schedule deleted.{kept}")
    return redirect("maintenance:schedules")
