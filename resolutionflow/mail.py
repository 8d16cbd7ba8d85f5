"""Emails as template triplets: `<name>_subject.txt`, `<name>.txt`, `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string


class DeliveryStatus(models.TextChoices):
    """The outcome of one email delivery, shared by every delivery log (escalations, runs, time saved)."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"


def build_templated_mail(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message


def send_templated_mail(template: str, context: dict, to: list[str]) -> None:
    build_templated_mail(template, context, to).send()
