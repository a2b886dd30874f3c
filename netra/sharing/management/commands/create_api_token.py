"""``manage.py create_api_token --agency <code> --role <role> [--name <label>]``.

Prints the token once, alone on stdout (so scripts can capture it); it cannot be shown again.
The operator's break-glass path: the token is live at once (no Satgas lead approval), but a role
the agency's kind cannot hold is refused like everywhere else, and the issuance is audited and
notified to the agency's approvers (``netra.sharing.tokens.issue_token``).
"""

from django.core.management.base import BaseCommand, CommandError

from netra.orgs.models import Agency, Membership
from netra.sharing.tokens import TokenRefused, issue_token


class Command(BaseCommand):
    help = "Buat token API untuk satu instansi dan peran; token dicetak sekali ke stdout."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Kode instansi, mis. bawaslu-kab-katingan")
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--name", default="", help="Label token, mis. 'SIPP Bawaslu'")

    def handle(self, *args, agency, role, name, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"Unknown agency code {agency!r}")
        if not found.active:
            raise CommandError(f"Agency {agency!r} is inactive")
        try:
            issued = issue_token(agency=found, role=role, name=name or f"{agency} {role}")
        except TokenRefused as refused:
            raise CommandError(refused.message) from refused
        self.stderr.write(
            f"Token {issued.token.prefix} for {found.code} as {role}. Store it now: it is not shown again."
        )
        self.stdout.write(issued.plaintext)
