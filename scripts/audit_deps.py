"""Dependency vulnerability check (CI): pip-audit of the pinned requirements against PyPI's data.

Exit 1 when a pinned package has a known vulnerability. When PyPI's vulnerability data (its JSON
API) cannot be reached from this machine, say so clearly and exit 0: pip-audit alone would
report "no known vulnerabilities" after auditing nothing.
"""

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DJANGO = re.search(r"^django==(\S+)", (ROOT / "requirements.txt").read_text(), re.I | re.M)
PROBE = f"https://pypi.org/pypi/django/{_DJANGO.group(1) if _DJANGO else '5.2'}/json"
BIN = Path(sys.executable).parent


def reachable() -> bool:
    try:
        with urllib.request.urlopen(PROBE, timeout=10) as response:
            return response.status == 200 and "vulnerabilities" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def main() -> int:
    if not reachable():
        print(f"pip-audit SKIPPED: PyPI's vulnerability data ({PROBE}) cannot be reached from this machine.")
        return 0
    proc = subprocess.run(
        [
            str(BIN / "pip-audit"),
            "--no-deps",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "-r",
            str(ROOT / "requirements.txt"),
            "-r",
            str(ROOT / "requirements-dev.txt"),
        ],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        print(f"pip-audit failed:\n{proc.stdout}\n{proc.stderr}")
        return 1
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if not audited:
        print("pip-audit SKIPPED: PyPI answered but returned no vulnerability data for any package.")
        return 0
    print(f"pip-audit: {len(audited)} of {len(deps)} pinned packages audited, {len(vulnerable)} vulnerable.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
