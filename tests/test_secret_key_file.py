"""Development's generated SECRET_KEY: processes starting at once on a fresh var/ agree on it.

gunicorn's workers each import the settings at the same moment; a worker that read the key file
between another's create and write got an empty key, and /healthz answered 500 at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_processes_starting_together_on_a_fresh_var_dir_share_one_whole_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "NETRA_ENV")}
    env |= {"NETRA_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    code = "import netra.settings as s; print(s.SECRET_KEY)"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    keys = {proc.communicate(timeout=120)[0].strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []  # no drafts left
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
