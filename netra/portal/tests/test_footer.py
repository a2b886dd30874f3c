"""Every page's footer leads a visitor to the public pages they cannot guess the address of.

The public statistics page (/statistik/) was linked from no page at all.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_footer_links_the_status_check_the_statistics_and_the_privacy_page(client, regions, language):
    with translation.override(language):
        home, targets = (
            reverse("portal:home"),
            [reverse(n) for n in ("portal:status", "insights:public", "portal:privacy")],
        )
    html = client.get(home).content.decode()
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S).group(1)
    for target in targets:
        assert f'href="{target}"' in footer
        assert client.get(target).status_code == 200
