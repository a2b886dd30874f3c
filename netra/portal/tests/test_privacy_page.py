"""The public privacy page states the retention periods that actually apply by default."""

import pytest
from django.urls import reverse
from django.utils import translation

from netra.cases.retention import DEFAULT_CONTACT_MONTHS, DEFAULT_DISMISSED_EVIDENCE_MONTHS
from netra.ops.models import RetentionPolicy

pytestmark = pytest.mark.django_db


def test_the_privacy_page_states_the_default_retention_periods_in_indonesian(client):
    html = client.get(reverse("portal:privacy")).content.decode()
    assert f"Kontak pelapor dihapus {DEFAULT_CONTACT_MONTHS} bulan setelah kasus selesai" in html
    assert f"Bukti kasus yang dihentikan dihapus {DEFAULT_DISMISSED_EVIDENCE_MONTHS} bulan" in html
    assert "Berkas yang dilampirkan tetapi laporannya tidak jadi dikirim dihapus dalam 2 jam" in html


def test_the_policy_model_uses_the_same_defaults_as_the_page():
    assert RetentionPolicy._meta.get_field("contact_months").default == DEFAULT_CONTACT_MONTHS
    assert RetentionPolicy._meta.get_field("dismissed_evidence_months").default == DEFAULT_DISMISSED_EVIDENCE_MONTHS


def test_every_public_page_links_to_it_from_the_footer(client):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:privacy")}"' in html


def test_it_has_an_english_address_and_text(client):
    with translation.override("en"):
        url = reverse("portal:privacy")
    assert url.endswith("/privacy/")
    html = client.get(url).content.decode()
    assert "How long we keep it" in html
    assert f"removed {DEFAULT_CONTACT_MONTHS} months after the case is finished" in html
