"""English beside Bahasa Indonesia: the catalogue is complete and the pages and API speak it.

The msgids are Indonesian (the UI's first language); locale/en/LC_MESSAGES/django.po carries the
English. The pages are compiled here from the committed .po into a temporary LOCALE_PATHS, so
these tests judge the catalogue in the repository, not a stale local .mo.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

PO_FILE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
MSGFMT = shutil.which("msgfmt")
# %(name)s / %s / %d placeholders, {n} brace placeholders, <int:pk> route converters.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sd]|\{[a-z_]+\}|<[a-z]+:[a-z_]+>")


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode("latin-1", "backslashreplace").decode("unicode_escape")


def read_po(path: Path) -> list[dict]:
    """The catalogue's entries (header left out): msgid, msgid_plural, msgstr forms, flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}, "obsolete": False}
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                current = ("msgid_plural", None)
                entry["msgid_plural"] = _unquote(line)
            elif line.startswith("msgid "):
                current = ("msgid", None)
                entry["msgid"] = _unquote(line)
            elif line.startswith("msgstr"):
                form = re.match(r"msgstr(?:\[(\d+)\])? ", line).group(1)
                current = ("msgstr", int(form) if form is not None else 0)
                entry["msgstr"][current[1]] = _unquote(line)
            elif line.startswith('"') and current:
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += _unquote(line)
                else:
                    entry[current[0]] += _unquote(line)
        if entry["msgid"] and not entry["obsolete"]:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return read_po(PO_FILE)


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory) -> Path:
    if MSGFMT is None:
        pytest.fail("msgfmt is missing (gettext): scripts/sysdeps.sh installs it")
    root = tmp_path_factory.mktemp("locale")
    target = root / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    result = subprocess.run(
        [MSGFMT, "--check", "-o", str(target / "django.mo"), str(PO_FILE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def english(settings, compiled_locale):
    """Django reads the catalogue compiled from the committed .po (the settings change resets its cache)."""
    settings.LOCALE_PATHS = [compiled_locale]


def en(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_is_valid_for_msgfmt_check(compiled_locale):
    assert (compiled_locale / "en" / "LC_MESSAGES" / "django.mo").stat().st_size > 0


def test_the_catalogue_has_entries(catalogue):
    assert len(catalogue) > 500


def test_every_entry_is_translated(catalogue):
    def complete(entry):
        forms = (0, 1) if entry["msgid_plural"] else (0,)
        return all(entry["msgstr"].get(form) for form in forms)

    assert [e["msgid"] for e in catalogue if not complete(e)] == []


def test_no_entry_is_fuzzy(catalogue):
    assert [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]] == []


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    broken = []
    for entry in catalogue:
        for form, text in entry["msgstr"].items():
            source = entry["msgid_plural"] if form and entry["msgid_plural"] else entry["msgid"]
            # A singular form may leave the count out ("Report" for "Laporan"); a plural form may not.
            expected = sorted(PLACEHOLDER.findall(source))
            found = sorted(PLACEHOLDER.findall(text))
            if found != expected and not (form == 0 and entry["msgid_plural"] and set(found) <= set(expected)):
                broken.append((entry["msgid"], form, expected, found))
    assert broken == []


def test_translated_url_paths_stay_lowercase_paths(catalogue):
    routes = [e for e in catalogue if re.fullmatch(r"[a-z0-9<>:_./-]+/|[a-z0-9<>:_/-]+\.pdf", e["msgid"])]
    assert len(routes) > 10
    bad = [
        (e["msgid"], e["msgstr"][0])
        for e in routes
        if e["msgstr"][0] != e["msgstr"][0].lower()
        or not e["msgstr"][0].endswith(e["msgid"][-4:] if e["msgid"].endswith(".pdf") else "/")
    ]
    assert bad == []


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace:
            yield f"{namespace}{pattern.name}", getattr(pattern.pattern, "converters", {})


def test_every_translated_page_route_reverses_and_resolves_to_itself_in_english(english):
    localized = next(
        p for p in get_resolver().url_patterns if isinstance(getattr(p, "pattern", None), LocalePrefixPattern)
    )
    examples = {"int": 1, "slug": "start_checking"}
    checked = []
    for name, converters in _named_routes(localized.url_patterns):
        if name.split(":")[0] not in {"portal", "workspace", "sharing"}:
            continue
        kwargs = {
            key: examples[type(conv).__name__.removesuffix("Converter").lower()] for key, conv in converters.items()
        }
        with translation.override("en"):  # as LocaleMiddleware does for /en/ before resolving
            url = reverse(name, kwargs=kwargs or None)
            assert url.startswith("/en/"), url
            assert resolve(url).view_name == name, url
        checked.append(name)
    assert len(checked) >= 20


def test_english_paths_are_english_words(english):
    assert en("portal:report_new") == "/en/report/"
    assert en("workspace:login") == "/en/staff/sign-in/"
    assert en("workspace:case", pk=7) == "/en/staff/cases/7/"


# --- the pages ----------------------------------------------------------------------------------


def test_the_landing_page_is_indonesian_by_default(client, db, english):
    html = client.get("/").content.decode()
    assert '<html lang="id">' in html
    assert "<h1>Laporkan pelanggaran netralitas ASN</h1>" in html


def test_the_landing_page_under_en_is_english(client, db, english):
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Report a breach of ASN neutrality</h1>" in html
    assert "You can stay anonymous" in html
    assert "Laporkan" not in html


def test_an_english_browser_still_gets_indonesian_at_the_root(client, db, english):
    # prefix_default_language=False: unprefixed pages are Indonesian, English lives under /en/.
    html = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="id">' in html


def test_the_report_form_under_en_is_english(client, db, english):
    html = client.get("/en/report/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Make a report</h1>" in html
    assert "What happened?" in html
    assert "Send report" in html
    assert 'action="/en/report/"' in html
    assert "Apa yang terjadi" not in html


def test_the_report_form_errors_under_en_are_english(client, db, english):
    html = client.post("/en/report/", {"description": "pendek"}).content.decode()
    assert "Your report has not been sent yet. Check these fields:" in html


def test_the_staff_sign_in_page_under_en_is_english(client, db, english):
    html = client.get("/en/staff/sign-in/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to the workspace" in html
    assert "Reporters need no account" in html
    assert "Masuk ke ruang kerja" not in html


def test_the_staff_sign_in_page_is_indonesian_by_default(client, db, english):
    html = client.get("/staf/masuk/").content.decode()
    assert "Masuk ke ruang kerja" in html


# --- the API ------------------------------------------------------------------------------------

API_REPORTS = "/api/v1/public/reports"


def test_an_api_validation_error_is_indonesian_by_default(db, english):
    error = Client().post(API_REPORTS, {}, content_type="application/json").json()["error"]
    assert error["message"] == "Data laporan belum lengkap atau belum benar. Periksa isian yang ditandai."
    assert error["fields"]["description"] == ["Wajib diisi."]


def test_an_api_validation_error_is_english_with_accept_language_en(db, english):
    error = (
        Client()
        .post(API_REPORTS, {}, content_type="application/json", headers={"Accept-Language": "en"})
        .json()["error"]
    )
    assert error["message"] == "The report is incomplete or contains errors. Check the marked fields."
    assert error["fields"]["description"] == ["Required."]
