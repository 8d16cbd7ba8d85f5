"""`manage.py send_test_email EMAIL`: check that the configured mail server delivers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from escalations.delivery import TRANSIENT_ERRORS
from resolutionflow.mail import build_templated_mail


class Command(BaseCommand):
    help = "Send a test email with the configured EMAIL_URL settings."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}") from None
        message = build_templated_mail(
            "escalations/email/test", {"email": email, "site_url": settings.SITE_URL}, [email]
        )
        try:
            message.send()
        except TRANSIENT_ERRORS as exc:
            raise CommandError(f"Could not send to {email}: {type(exc).__name__}: {exc}") from exc
        self.stdout.write(f"Sent a test email to {email} via {settings.EMAIL_BACKEND}")
