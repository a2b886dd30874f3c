"""netra.sheets: a hostile or damaged upload is refused as a whole with a clear Indonesian reason,
whichever importer reads it (roster, historical register) — never a crash, never a half import."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl.xml
import pytest

from netra.cases import history_import
from netra.pacts import roster

ROOT = Path(__file__).resolve().parents[1]
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The .xlsx ``data`` with its first worksheet's XML passed through ``change``."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def _with_entities(data: bytes) -> bytes:
    def change(xml: str) -> str:
        xml = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + LAUGHS, xml, count=1)
        return xml.replace(
            "<sheetData>", '<sheetData><row r="99"><c r="A99" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1
        )

    return _with(data, change)


def _with(data: bytes, change) -> bytes:
    return _rewrite_sheet(data, change)


PARSERS = {
    "roster": (lambda data, name: roster.parse_roster(data, name), roster.template_xlsx),
    "register": (
        lambda data, name: history_import.parse_register(data, name, history_import.load_catalog()),
        history_import.template_xlsx,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PARSERS)
def test_entity_expansion_in_a_sheet_is_refused_as_a_whole(kind):
    parse, template = PARSERS[kind]
    result = parse(_with_entities(template()), "berkas.xlsx")
    assert not result.rows
    assert [e.row for e in result.errors] == [0]
    # refused when the workbook is opened or when the sheet is read, never expanded
    message = result.errors[0].message
    assert "bukan berkas Excel" in message or "tidak dapat dibaca mulai baris 1" in message


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PARSERS)
def test_a_damaged_sheet_part_is_refused_as_a_whole(kind):
    parse, template = PARSERS[kind]
    result = parse(_with(template(), lambda xml: xml.replace("</sheetData>", "<row><c>", 1)), "berkas.xlsx")
    assert result.file_error  # the rows read before the damage are not imported either
    assert "tidak dapat dibaca" in result.errors[-1].message


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PARSERS)
def test_a_nul_byte_deep_in_a_csv_names_its_row(kind):
    parse = PARSERS[kind][0]
    header = ",".join(c for c in (roster.COLUMNS if kind == "roster" else history_import.REQUIRED))
    filler = "\n".join("," * header.count(",") for _ in range(3000))  # blank lines past the 4 KB sniff
    data = (header + "\n" + filler + "\nab\x00c\n").encode()
    assert b"\x00" not in data[:4096]
    result = parse(data, "berkas.csv")
    assert result.file_error
    assert result.errors[-1].row == 0
    assert "Baris 3002 tidak dapat dibaca" in result.errors[-1].message


def test_production_installs_the_xml_guard_the_development_venv_has():
    """openpyxl uses defusedxml only when it is installed: it must be a runtime requirement, not a
    development tool's by-product, so production parses uploads the way the tests do."""
    pinned = {line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text().splitlines()}
    assert "defusedxml" in pinned
    assert openpyxl.xml.DEFUSEDXML
