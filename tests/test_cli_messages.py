"""The command line's error lines (issue 22): control characters escaped on stderr as on stdout, and a clear line,
never a traceback, for numbers Python will not read and for paths that are not files."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.portable.test_model_errors import _conv, _functional
from tests.test_cli import _cli

ESC, BEL = "\x1b", "\x07"
TITLE = f"{ESC}]0;pwned{BEL}{ESC}[2J"  # sets the terminal's title, then clears the screen


def _one_clean_line(stderr: bytes) -> str:
    err = stderr.decode()
    assert ESC not in err and BEL not in err and "Traceback" not in err
    return err


def test_error_lines_escape_control_characters() -> None:
    model = _functional(_conv("c1", ["in"]), _conv(f"c2{TITLE}", ["c1"], kernel_size="big"), output=f"c2{TITLE}")
    result = _cli("summary", "-", stdin=json.dumps(model).encode())
    assert result.returncode == 2
    err = _one_clean_line(result.stderr)
    assert err.count("\n") == 1 and "c2\\x1b]0;pwned\\x07\\x1b[2J" in err


def test_argument_errors_escape_control_characters() -> None:
    result = _cli("summary", "-", TITLE)
    assert result.returncode == 2
    assert "unrecognized arguments: \\x1b]0;pwned\\x07\\x1b[2J" in _one_clean_line(result.stderr)
    choice = _cli("summary", "-", "--format", TITLE)  # argparse quotes this one with repr() itself
    assert choice.returncode == 2 and "invalid choice" in _one_clean_line(choice.stderr)


def test_a_five_thousand_digit_integer_is_one_line() -> None:
    result = _cli("summary", "-", stdin=b'{"class_name": ' + b"9" * 5000 + b"}")
    assert result.returncode == 2
    assert "more than 4300 digits" in _one_clean_line(result.stderr)
    layer = _cli("layer", "Conv2D", "--input-shape", "8,8,3", "filters=" + "9" * 5000, "kernel_size=3")
    assert layer.returncode == 2
    assert "argument filters: a number of more than 4300 digits" in _one_clean_line(layer.stderr)
    shape = _cli("layer", "Conv2D", "--input-shape", "9" * 5000 + ",8,3", "filters=3", "kernel_size=3")
    assert shape.returncode == 2 and len(shape.stderr) < 300  # the input is not echoed in full


@pytest.mark.skipif(not os.path.exists("/dev/urandom"), reason="no /dev/urandom on this system")
def test_a_device_is_read_up_to_the_limit_then_refused() -> None:
    start = time.perf_counter()
    result = _cli("summary", "/dev/urandom")
    assert time.perf_counter() - start < 15
    assert result.returncode == 2 and "/dev/urandom: not a regular file" in _one_clean_line(result.stderr)
