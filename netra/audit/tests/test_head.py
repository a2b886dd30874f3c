"""Publishing the signed chain head and checking it later (netra.audit.head, verify_audit --expect-head)."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line

from netra.audit.chain import seal
from netra.audit.head import BadHead, current_line, parse_expected
from netra.audit.models import AuditEvent, ChainHead
from netra.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_log(officer):
    for number in range(3):
        record(officer, "case.noted", number=number)
    seal()
    return ChainHead.objects.get()


@pytest.fixture
def head_file(settings, tmp_path):
    settings.NETRA_AUDIT_HEAD_FILE = tmp_path / "heads" / "audit-heads.log"
    return settings.NETRA_AUDIT_HEAD_FILE


def test_audit_head_prints_a_signed_line_of_the_current_head(sealed_log):
    out = StringIO()
    call_command("audit_head", stdout=out)

    line = out.getvalue().strip()
    assert line.startswith(f"NETRA-AUDIT-HEAD v1 seq=3 hash={sealed_log.hash} at=")
    assert parse_expected(line) == (3, sealed_log.hash)


def test_a_signed_line_with_a_changed_number_is_refused(sealed_log):
    forged = current_line().replace("seq=3", "seq=2")

    with pytest.raises(BadHead, match="tanda tangan"):
        parse_expected(forged)


def test_a_signed_line_from_another_key_is_refused(sealed_log, settings):
    line = current_line()
    settings.NETRA_AUDIT_KEY = "kunci-instalasi-lain-" + "z" * 40

    with pytest.raises(BadHead):
        parse_expected(line)


def test_plain_seq_and_hash_are_accepted(sealed_log):
    assert parse_expected(f" 3:{sealed_log.hash.upper()} ") == (3, sealed_log.hash)


def test_verify_audit_confirms_a_head_still_in_the_chain(sealed_log, officer, capsys):
    line, first = current_line(), AuditEvent.objects.get(seq=1)
    record(officer, "case.noted")
    seal()  # the chain grew past the published heads: still fine

    execute_from_command_line(["manage.py", "verify_audit", "--expect-head", line, "--expect-head", f"1:{first.hash}"])

    out = capsys.readouterr().out
    assert "utuh: 4 entri" in out and "Ujung #3" in out and "Ujung #1" in out


def test_verify_audit_names_a_rewritten_row_at_a_published_head(sealed_log, capsys):
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit", "--expect-head", "2:" + "a" * 64])

    assert exit_info.value.code == 1
    assert "riwayat ditulis ulang" in capsys.readouterr().err


def test_verify_audit_exits_2_on_a_malformed_or_badly_signed_head(sealed_log, capsys):
    line = current_line()
    bad_signature = line[:-1] + ("1" if line.endswith("0") else "0")

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit", "--expect-head", bad_signature])

    assert exit_info.value.code == 2
    assert "--expect-head" in capsys.readouterr().err


def test_verify_audit_reports_the_intact_published_head(sealed_log, capsys):
    execute_from_command_line(["manage.py", "verify_audit", "--expect-head", current_line()])

    assert "Ujung #3" in capsys.readouterr().out


def test_audit_head_publish_appends_to_the_head_file(sealed_log, head_file):
    call_command("audit_head", "--publish", stdout=StringIO())
    call_command("audit_head", "--publish", stdout=StringIO())

    lines = head_file.read_text().splitlines()
    assert len(lines) == 2 and all(parse_expected(line) == (3, sealed_log.hash) for line in lines)


def test_the_scheduler_publishes_the_head_it_sealed(officer, head_file):
    record(officer, "case.noted")  # not committed: the scheduler's tick seals it

    call_command("scheduler", "--once", stdout=StringIO())

    (line,) = head_file.read_text().splitlines()
    assert parse_expected(line) == (1, ChainHead.objects.get().hash)


def test_the_scheduler_publishes_only_a_head_that_moved(sealed_log, head_file):
    from netra.cases.management.commands.scheduler import publish_audit_head

    published = publish_audit_head(None)
    assert publish_audit_head(published) == published

    assert len(head_file.read_text().splitlines()) == 1
