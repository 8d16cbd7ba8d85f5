"""Emails as template triplets: `<name>_subject.txt`, `<name>.txt`, `<name>.html`."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_templated_mail(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message


def send_templated_mail(template: str, context: dict, to: list[str]) -> None:
    build_templated_mail(template, context, to).send()
