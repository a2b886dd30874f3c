"""A public page's <title> (the browser tab, the bookmark, what a screen reader says first) is plain text.

The report form's title block once held its <script> tag, so the tab read
"Buat laporan  <script src=…></script> — Pengawasan Netralitas ASN".
"""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/lapor/", "/status/", "/privasi/", "/en/report/"])
def test_the_page_title_is_plain_text(client, agencies, path):
    response = client.get(path)
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
    assert "<" not in title and "script" not in title
    assert title.split("—")[0].strip()  # the page's own name comes first
