"""triage sits below cases: it may import catalog and Django, never cases, orgs, notify, audit or a face."""

import ast
from pathlib import Path

TRIAGE = Path(__file__).resolve().parents[1]
ALLOWED = ("netra.triage", "netra.catalog")


def test_triage_imports_nothing_above_it():
    offenders = []
    for path in TRIAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("netra") and not name.startswith(ALLOWED) and name != "netra":
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
