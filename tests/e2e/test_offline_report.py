"""The report form offline (issue #15, item 5): a phone with no connection keeps the report, sends
it once when the connection returns, shows the receipt, and keeps nothing of it afterwards."""

import datetime
import json

import pytest
from PIL import Image

from netra.cases.models import Evidence, Report
from netra.portal import forms

RECENTLY = (datetime.date.today() - datetime.timedelta(days=5)).isoformat()
WORDS = "Sekretaris camat memasang spanduk pasangan calon di kantor kecamatan saat jam kerja."


@pytest.fixture(autouse=True)
def quick_form(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "spanduk.jpg"
    Image.new("RGB", (320, 240), (160, 40, 40)).save(path, "JPEG")
    return path


QUEUED = "() => new Promise((resolve) => { const r = indexedDB.open('netra-offline', 1);"
QUEUED += " r.onupgradeneeded = () => r.result.createObjectStore('reports', {keyPath: 'id'});"
QUEUED += " r.onsuccess = () => { const q = r.result.transaction('reports').objectStore('reports').getAll();"
QUEUED += " q.onsuccess = () => { r.result.close(); resolve(q.result.map((x) => JSON.stringify(x.entries.filter("
QUEUED += "(e) => typeof e[1] === 'string')))); }; }; })"

CACHED = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out.push({url: request.url, body: await response.text()});
    }
  }
  return out;
}"""


@pytest.mark.django_db(transaction=True)
def test_a_report_written_offline_arrives_once_and_leaves_nothing_behind(live_server, phone_context, agencies, photo):
    page = phone_context.new_page()
    page.goto(live_server.url + "/lapor/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready")

    phone_context.set_offline(True)
    page.get_by_label("Apa yang terjadi?").fill(WORDS)
    page.get_by_label("Kapan terjadi?").fill(RECENTLY)
    page.get_by_label("Provinsi").select_option("62")
    page.get_by_label("Kabupaten/kota").select_option("62.06")
    page.get_by_label("Nama ASN yang dilaporkan").fill("Rudi Hartono")
    page.get_by_label("Bukti foto, video, atau dokumen (opsional)").set_input_files(str(photo))
    page.get_by_role("button", name="Kirim laporan").click()

    notice = page.locator("#offline-notice")
    notice.wait_for(state="visible")
    assert "disimpan di perangkat ini" in notice.inner_text()
    queued = page.evaluate(QUEUED)
    assert len(queued) == 1 and WORDS in queued[0]
    assert Report.objects.count() == 0
    # The form is empty again (the next person at this phone sees nothing of it).
    assert page.get_by_label("Apa yang terjadi?").input_value() == ""

    phone_context.set_offline(False)
    page.wait_for_url("**/lapor/terkirim/**", timeout=20_000)
    receipt = page.locator("main").inner_text()
    report = Report.objects.get()
    assert report.receipt_code in receipt
    assert report.description == WORDS
    assert Evidence.objects.filter(report=report).count() == 1  # the photo came along, once

    # Nothing of the report is left on the device: the queue is empty; the service worker's cache
    # holds the empty form and static files only, never the receipt or the report.
    assert page.evaluate(QUEUED) == []
    cached = page.evaluate(CACHED)
    assert cached, "the service worker keeps the empty form"
    assert not [c["url"] for c in cached if "terkirim" in c["url"] or "status" in c["url"]]
    for entry in cached:
        assert WORDS not in entry["body"] and report.receipt_code not in entry["body"], entry["url"]
    page.reload()
    assert Report.objects.count() == 1
    assert json.dumps(page.evaluate(QUEUED)) == "[]"


@pytest.mark.django_db(transaction=True)
def test_the_form_still_opens_offline_from_the_service_worker(live_server, phone_context, agencies):
    page = phone_context.new_page()
    page.goto(live_server.url + "/lapor/")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the service worker
    token = page.locator("input[name=submission]").input_value()
    phone_context.set_offline(True)
    page.reload()
    assert page.get_by_label("Apa yang terjadi?").is_visible()
    # A copy served offline never reuses the copy's single-use token.
    assert page.locator("input[name=submission]").input_value() != token
