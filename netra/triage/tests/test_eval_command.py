import json

import pytest
from django.core.management import CommandError, call_command

from netra.triage.evaluate import evaluate

ROWS = [
    {
        "text": "Pak camat ikut deklarasi paslon nomor 2, ada fotonya di FB",
        "violation": "campaign_attendance",
        "dup_group": "a",
        "region_code": "32.04",
        "incident_date": "2024-10-12",
    },
    {
        "text": "camat hadir deklarasi calon bupati no 2 kab bandung",
        "violation": "campaign_attendance",
        "dup_group": "a",
        "region_code": "32.04",
        "incident_date": "2024-10-12",
        "links": ["https://fb.com/p/1"],
    },
    {
        "text": "kepala desa pose dua jari sama cabup",
        "violation": "attributes_photo",
        "links": ["https://www.facebook.com/p/1/"],
        "subject_nip": "198503122010011003",
    },
    {"text": "jalan rusak di depan kantor kecamatan", "violation": "not_violation", "incident_date": "2024-10"},
]


def _write(tmp_path, rows):
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_json_output_has_the_documented_keys(tmp_path, capsys):
    call_command("triage_eval", str(_write(tmp_path, ROWS)), "--json")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    figures = json.loads(out[0])
    assert {"top1", "top3", "per_group", "dup_precision", "dup_recall", "dup_f1", "ms_per_report"} <= figures.keys()
    assert figures["per_group"]["campaign_attendance"]["n"] == 2
    assert 0 <= figures["top1"] <= figures["top3"] <= 1


def test_table_output(tmp_path, capsys):
    call_command("triage_eval", str(_write(tmp_path, ROWS)))
    out = capsys.readouterr().out
    assert "overall" in out and "confusion" in out and "duplicate pairs" in out and "ms per report" in out


def test_duplicate_pairs_are_counted_within_the_file():
    report = evaluate(ROWS)
    assert report.dup_pairs == 1
    # rows 2 and 3 share a link but are labelled as different incidents: a false positive
    assert report.dup_precision == pytest.approx(0.5)
    assert report.dup_recall == 1.0


def test_bad_lines_name_their_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "a", "violation": "social_media"}\n{"text": "b", "violation": "nope"}\n', encoding="utf-8"
    )
    with pytest.raises(CommandError, match="line 2"):
        call_command("triage_eval", str(path))
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        call_command("triage_eval", str(path))
