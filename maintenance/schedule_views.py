"""`/runs/schedules/`: the account's schedules, the create and edit forms with their preview, pause, resume, delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import account_required, get_for_account, has_role, role_required
from accounts.models import ENGINEER_OR_ADMIN
from maintenance import recurrence as recurrences
from maintenance import selectors, services
from maintenance.forms import RecurrenceForm, ScheduleEditForm, ScheduleForm, procedures
from maintenance.models import Schedule
from maintenance.views import submit_form
from resolutionflow.htmx import first_form_error, toast

PAGE = "maintenance/schedules.html"
EDIT_PAGE = "maintenance/schedule_edit.html"


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


def _preview(form: RecurrenceForm, schedule: Schedule | None = None) -> dict:
    """The rule in words and its next three due times, or the first problem with it.

    For an edit (`schedule`), an unchanged rule with no next due time chosen keeps the schedule's
    series, as `services.update_schedule` does.
    """
    if not form.is_valid():
        return {"error": first_form_error(form)}
    rule, first, day = form.cleaned_data["recurrence"], form.cleaned_data["first_due"], None
    now = timezone.now()
    if first is None and schedule is not None and rule == schedule.recurrence:
        first, day = schedule.next_due_at, schedule.day_of_month
        if first <= now:  # paused past its due time: resuming starts at the next one ahead
            first = recurrences.due_after(rule, first, now, day)
    first = first or recurrences.next_due(rule, now)
    return {"words": recurrences.describe(rule, first, day), "times": recurrences.upcoming(rule, first, day=day)}


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
    schedule = submit_form(request, form, lambda data: services.create_schedule(request.user, **_values(data)))
    if schedule is None:
        return _page(request, form, status=400)
    messages.success(request, f"Schedule created: {selectors.in_words(schedule)}. First run due {_when(schedule)}.")
    return redirect(f"{reverse('maintenance:schedules')}#schedule-{schedule.pk}")


@require_http_methods(["GET", "POST"])
@role_required(ENGINEER_OR_ADMIN)
def schedule_edit(request, schedule_id):
    """The schedule's form, filled in; saving goes back to its row on the list."""
    schedule = get_for_account(Schedule.objects.select_related("flow"), request.user, pk=schedule_id)
    if request.method == "GET":
        return _edit_page(request, schedule, ScheduleEditForm(user=request.user, schedule=schedule))
    form = ScheduleEditForm(request.POST, user=request.user, schedule=schedule)
    saved = submit_form(request, form, lambda data: services.update_schedule(request.user, schedule, **_values(data)))
    if saved is None:
        return _edit_page(request, schedule, form, status=400)
    words = selectors.in_words(saved)
    messages.success(request, f"Schedule saved: {words}. Next run due {_when(saved)}; runs so far stay.")
    return redirect(f"{reverse('maintenance:schedules')}#schedule-{saved.pk}")


def _values(data: dict) -> dict:
    """A valid schedule form as the services' keyword arguments (create and update take the same)."""
    return {
        "flow_id": data["flow"].pk,
        "targets": data["targets"],
        "recurrence": data["recurrence"],
        "assignee": data["assignee"],
        "next_due_at": data["first_due"],
    }


def _edit_page(request, schedule: Schedule, form: ScheduleEditForm, status: int = 200):
    shown = RecurrenceForm(form.data if form.is_bound else form.initial)
    preview = _preview(shown, schedule)
    context = {"editing": schedule, "form": form, "preview": preview, "words": selectors.in_words(schedule)}
    return render(request, EDIT_PAGE, context, status=status)


@require_GET
@role_required(ENGINEER_OR_ADMIN)
def schedule_edit_preview(request, schedule_id):
    """htmx: the edit form's preview (an unchanged rule keeps the schedule's due times)."""
    schedule = _schedule(request, schedule_id)
    return render(request, f"{PAGE}#preview", {"preview": _preview(RecurrenceForm(request.GET), schedule)})


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
