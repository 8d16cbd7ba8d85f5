from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.access import scoped
from accounts.models import ENGINEER_OR_ADMIN, User
from flowpilot.forms import OUTPUT_MAX, TEXT_MAX
from flows.models import Flow
from maintenance import recurrence as recurrences
from maintenance import services
from maintenance.models import RunItem, Schedule
from resolutionflow.domain import InvalidOperation


def procedures(user: User) -> QuerySet:
    return scoped(Flow, user).filter(kind=Flow.Kind.PROCEDURE, status=Flow.Status.PUBLISHED).order_by("title")


def assignees(user: User) -> QuerySet:
    return User.objects.filter(
        account_id=user.account_id, is_active=True, account_role__in=list(ENGINEER_OR_ADMIN)
    ).order_by("name", "email")


class AccountChoiceField(forms.ModelChoiceField):
    """A choice among the account's rows; a malformed id reads as any other invalid choice."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


TARGETS_HELP = "One per line: name, or “name | client | ticket”."


class RunForm(forms.Form):
    flow = forms.ModelChoiceField(queryset=Flow.objects.none(), label="Procedure", empty_label=None)
    title = forms.CharField(max_length=200, required=False, help_text="Blank: the procedure's name and today's date.")
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text=TARGETS_HELP,
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet")
    due_at = forms.DateTimeField(
        required=False, label="Due", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = procedures(user)
        self.fields["assignee"].queryset = assignees(user)


class RecurrenceForm(forms.Form):
    """When a schedule comes due; `cleaned_data["recurrence"]` is the rule the service stores."""

    repeat = forms.ChoiceField(
        choices=[("weekly", "Weekly"), ("monthly", "Monthly"), ("cron", "Custom (cron expression)")],
        initial="weekly",
        label="Repeats",
        widget=forms.RadioSelect,
    )
    cron = forms.CharField(
        max_length=100,
        required=False,
        label="Cron expression",
        help_text="For Custom: minute hour day-of-month month day-of-week, e.g. “0 6 * * 1” is every Monday 06:00.",
    )
    first_due = forms.DateTimeField(
        required=False,
        label="First due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Blank: one week or month from now, or the cron expression's next time. "
        "Weekly and monthly keep this day and time.",
    )

    def clean_first_due(self):
        try:
            recurrences.check_first_due(self.cleaned_data["first_due"], timezone.now())
        except InvalidOperation as exc:
            raise forms.ValidationError(exc.message) from None
        return self.cleaned_data["first_due"]

    def clean(self):
        data = super().clean()
        if data.get("repeat") != "cron":
            data["recurrence"] = data.get("repeat")
        elif not data.get("cron", "").strip():
            self.add_error("cron", recurrences.FIVE_FIELDS)
        else:
            try:
                data["recurrence"] = recurrences.validate(data["cron"])
            except InvalidOperation as exc:
                self.add_error("cron", exc.message)
        return data


class ScheduleForm(RecurrenceForm):
    flow = AccountChoiceField(
        queryset=Flow.objects.none(),
        label="Procedure",
        empty_label=None,
        error_messages={"invalid_choice": services.NOT_A_PROCEDURE},
    )
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text=TARGETS_HELP + " The same list every time.",
    )
    assignee = AccountChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
        help_text="Gets an email each time a run is created.",
        error_messages={"invalid_choice": "assignee must be an engineer, admin or owner of this account"},
    )
    field_order = ["flow", "targets", "assignee", "repeat", "cron", "first_due"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = procedures(user)
        self.fields["assignee"].queryset = assignees(user)

    def clean_targets(self) -> list[dict]:
        """Parsed and checked like the new-run form's (the service checks again)."""
        try:
            return services.clean_targets(services.parse_target_lines(self.cleaned_data["targets"]))
        except InvalidOperation as exc:
            raise forms.ValidationError(exc.message) from None


class ScheduleEditForm(ScheduleForm):
    """The schedule form for an existing schedule: blank "Next due" keeps its due time while the rule stays."""

    def __init__(self, *args, schedule: Schedule, **kwargs):
        super().__init__(*args, initial=schedule_initial(schedule), **kwargs)
        self.fields["first_due"].label = "Next due"
        self._flag_gone(schedule)
        now_due = date_format(timezone.localtime(schedule.next_due_at), "D j M Y, H:i")
        self.fields["first_due"].help_text = (
            f"Blank: stays {now_due} while the rule is unchanged; a new rule starts one week or month from now, "
            "or at the cron expression's next time. Weekly and monthly keep this day and time."
        )

    def _flag_gone(self, schedule: Schedule) -> None:
        """A procedure unpublished or an assignee gone since: say so rather than preselect another silently."""
        flow, assignee = self.fields["flow"], self.fields["assignee"]
        if not flow.queryset.filter(pk=schedule.flow_id).exists():
            flow.empty_label = "Choose a procedure"
            flow.help_text = f"“{schedule.flow.title}” is no longer a published procedure: choose one."
        if schedule.assignee_id and not assignee.queryset.filter(pk=schedule.assignee_id).exists():
            name = schedule.assignee.display_name
            assignee.help_text = f"{name} can no longer be assigned (left, or no longer an engineer)."


def schedule_initial(schedule: Schedule) -> dict:
    """What the edit form shows before anything is typed: the schedule as stored."""
    named = schedule.recurrence in recurrences.NAMED
    return {
        "flow": schedule.flow_id,
        "targets": target_lines(schedule.targets),
        "assignee": schedule.assignee_id,
        "repeat": schedule.recurrence if named else "cron",
        "cron": "" if named else schedule.recurrence,
    }


def target_lines(targets: list[dict]) -> str:
    """The stored targets as the form's lines ("name | client | ticket"), read back by `parse_target_lines`."""
    lines = []
    for target in targets:
        parts = [target["name"], target.get("client_name", ""), target.get("ticket_ref", "")]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class ItemForm(forms.Form):
    status = forms.ChoiceField(choices=RunItem.Status.choices)
    result_note = forms.CharField(max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    output = forms.CharField(
        max_length=OUTPUT_MAX, required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
