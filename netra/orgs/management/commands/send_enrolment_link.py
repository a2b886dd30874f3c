"""Send (or, for the operator bootstrapping the first superuser, print) a one-time 2FA enrolment link."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from netra.orgs import enrolment
from netra.orgs.models import User


class Command(BaseCommand):
    help = "E-mail a one-time link with which the person enrols their authenticator app (2FA)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--print", action="store_true", help="print the link here instead of e-mailing it (first superuser)"
        )
        parser.add_argument("--base-url", default="", help="start of the link (default: NETRA_SITE_URL)")

    def handle(self, *args, username: str, print: bool, base_url: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}.")
        base_url = (base_url or settings.NETRA_SITE_URL).rstrip("/")
        if not base_url:
            raise CommandError("Set NETRA_SITE_URL or pass --base-url https://netra.example.go.id")
        try:
            if print:
                token = enrolment.issue_link(user=user, issued_by=None)
                self.stdout.write(base_url + enrolment.link_path(token))
            else:
                address = enrolment.send_link(user=user, issued_by=None, base_url=base_url)
                self.stdout.write(f"Enrolment link for {username} sent to {address}.")
        except enrolment.EnrolmentError as error:
            raise CommandError(error.message) from None
