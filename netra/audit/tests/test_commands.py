import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from netra.audit.chain import seal
from netra.audit.models import AuditEvent
from netra.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_log(officer):
    for number in range(5):
        record(officer, "case.noted", number=number)
    seal()


def test_verify_audit_exits_0_on_an_intact_chain(sealed_log, capsys):
    execute_from_command_line(["manage.py", "verify_audit"])  # raises SystemExit on failure

    assert "utuh: 5 entri" in capsys.readouterr().out


def test_verify_audit_exits_1_naming_the_first_bad_row(sealed_log, tamper, capsys):
    tamper.set_payload(2, {"number": 42})

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit"])

    assert exit_info.value.code == 1
    assert "nomor urut 2 (id" in capsys.readouterr().err


def test_verify_audit_raises_command_error_with_returncode_1_when_called_from_code(sealed_log, tamper):
    tamper.delete(3)

    with pytest.raises(CommandError) as error:
        call_command("verify_audit")

    assert error.value.returncode == 1


def test_verify_audit_mentions_pending_events(sealed_log, officer, capsys):
    record(officer, "case.noted")

    call_command("verify_audit")

    assert "1 entri belum disegel" in capsys.readouterr().out


def test_verify_audit_with_seal_seals_pending_events_first(sealed_log, officer):
    record(officer, "case.noted")

    call_command("verify_audit", "--seal")

    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_seal_audit_seals_events_whose_after_commit_seal_did_not_run(officer, capsys):
    record(officer, "case.noted")  # the test's transaction never commits: no seal ran
    record(officer, "case.noted")

    call_command("seal_audit")

    assert "2 entri disegel" in capsys.readouterr().out
    assert list(AuditEvent.objects.values_list("seq", flat=True).order_by("seq")) == [1, 2]
