from netra.cases.tests.fixtures import (  # noqa: F401
    kalteng,
    kanreg_banjarmasin,
    katingan,
    palangka_raya,
    papua,
    pemkab_katingan,
    private_media,
)
from netra.cases.tests.history_support import register_world  # noqa: F401
from netra.cases.tests.workflow_support import catalogue, katingan_case  # noqa: F401
