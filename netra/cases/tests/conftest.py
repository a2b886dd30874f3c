from netra.cases.tests.fixtures import (  # noqa: F401
    kalteng,
    kanreg_banjarmasin,
    katingan,
    palangka_raya,
    papua,
    pemkab_katingan,
    private_media,
)
