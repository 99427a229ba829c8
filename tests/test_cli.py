"""The command line: exit 2 and one line on stderr for bad input, JSON output for good input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from calc._model import MAX_CONFIG_BYTES, MAX_LAYERS
from tests.portable.test_model_errors import BAD, GOOD, ROOT, _sequential


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=20, check=False
    )


@pytest.mark.parametrize("case", ["malformed JSON", "cycle", "absurd dimension", "deep JSON", "truncated .keras"])
def test_cli_exits_2_with_one_line(case: str) -> None:
    source, expected = BAD[case]
    data = source if isinstance(source, bytes) else (source if isinstance(source, str) else json.dumps(source)).encode()
    result = _cli("summary", "-", stdin=data)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_cli_million_layers_exits_2() -> None:
    text = json.dumps(_sequential(1_000_000), separators=(",", ":")).encode()
    assert len(text) < MAX_CONFIG_BYTES  # so that the layer count, not the size, is what gets refused
    result = _cli("summary", "-", stdin=text)
    assert result.returncode == 2
    assert f"more than {MAX_LAYERS} layers" in result.stderr.decode()


def test_cli_json_output_shape() -> None:
    result = _cli("summary", "-", "--format", "json", stdin=json.dumps(GOOD).encode())
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"layers", "totals", "partial", "warnings"}
    last = data["layers"][-1]
    assert last["output_shape"] == [None, 12, 12, 4]
    assert last["receptive_field"] == {"size": [5, 5], "stride": [1, 1], "padding": [0, 0]}
    assert data["totals"]["flops"] == 2 * data["totals"]["macs"]


def test_cli_markdown_and_error_lines_show_model_text_as_text() -> None:
    from tests.hostile import PAYLOAD, SCRIPT, bad_value_model, hostile_model

    result = _cli("summary", "-", "--format", "markdown", stdin=json.dumps(hostile_model()).encode())
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "<img" not in out and "<script" not in out
    assert out.count("&lt;img src=x onerror=") == 4 and "&lt;script&gt;" in out  # two names, two inbound links
    bad = _cli("summary", "-", stdin=json.dumps(bad_value_model()).encode())
    assert bad.returncode == 2 and PAYLOAD in bad.stderr.decode() and SCRIPT not in bad.stderr.decode()
