"""A fresh gunicorn worker (deploy/gunicorn.conf.py's ``post_worker_init``) is warmed before its
first request, and what every request loads stays light (issue #14, bench/load.py).

Run in a fresh interpreter: in the test process everything is long imported.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import runpy, sys
import django
django.setup()
from django.db import connection
conf = runpy.run_path("deploy/gunicorn.conf.py")
assert "netra.portal.views" not in sys.modules
conf["_warm"]()
# The URLconf (every view module, the API) is loaded, and with it no PDF library: WeasyPrint was
# ~45 % of a fresh worker's first request; only the processes that print load it.
assert "netra.portal.views" in sys.modules and "netra.api" in sys.modules, "URLconf not loaded"
assert "weasyprint" not in sys.modules, "the URLconf imports WeasyPrint"
# Before the fork's first request, no database connection is opened by the warm-up.
assert connection.connection is None, "the warm-up opened a database connection"
print("ok")
"""


def test_warm_up_loads_the_urlconf_without_weasyprint_or_a_connection(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "netra.settings",
        "NETRA_ENV": "test",
        "NETRA_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ok")
