# Command line: python -m calc summary PATH|- [--input-shape H,W,C] [--format table|json|markdown]
#               python -m calc layer CLASS --input-shape H,W,C [name=value ...]
# Bad input exits 2 with one line on stderr.

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import typing
from collections.abc import Sequence
from typing import Any

from calc._errors import CalcError
from calc._model import MAX_CONFIG_BYTES, ModelError, parse_shape, summarize
from calc._registry import MULTI_INPUT, layer_info
from calc.text import markdown_table, printable, text_table

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with the arguments it quotes in its errors (``invalid choice: ...``) shown as escapes."""

    def error(self, message: str) -> typing.NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m calc", description="Exact Keras convolution arithmetic.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="per-layer table of a Keras model (.keras, config.json or model.to_json())")
    s.add_argument("source", help="path to a .keras or JSON file, or - for standard input")
    s.add_argument(
        "--input-shape",
        help="H,W,C without the batch axis (for models with None dimensions); several inputs: '224,224,3;10'",
    )
    s.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    ly = sub.add_parser(
        "layer", help="figures of one layer, e.g.: layer Conv2D --input-shape 256,256,3 filters=64 kernel_size=7"
    )
    ly.add_argument("class_name")
    ly.add_argument("--input-shape", required=True, help="H,W,C without the batch axis")
    ly.add_argument(
        "arguments", nargs="*", metavar="name=value", help="Keras arguments; values are JSON or plain strings"
    )
    return p


def _value(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
    except ValueError:  # an integer longer than Python reads (sys.get_int_max_str_digits())
        raise CalcError(f"argument {name}: a number of more than {sys.get_int_max_str_digits()} digits") from None


def _summary(args: argparse.Namespace) -> str:
    if args.source == "-":
        data = sys.stdin.buffer.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ModelError(f"stdin: more than {MAX_CONFIG_BYTES} bytes")
        result = summarize(data, args.input_shape)
    else:
        result = summarize(args.source, args.input_shape)
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=1)
    return markdown_table(result) if args.format == "markdown" else text_table(result)


def _layer(args: argparse.Namespace) -> str:
    config = {}
    for item in args.arguments:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CalcError(f"argument {item!r}: expected name=value")
        config[name] = _value(name, value)
    shape: Any = parse_shape(args.input_shape)
    if args.class_name in MULTI_INPUT:
        shape = [shape, shape]
    info = layer_info(args.class_name, config, shape)
    rows = {
        "output_shape": [None, *info.output_shape],
        "params": info.params,
        "trainable_params": info.trainable_params,
        "non_trainable_params": info.non_trainable_params,
        "macs": info.macs,
        "flops": info.flops,
        "activation_elements": info.activation_elements,
        "window": None if info.window is None else info.window._asdict(),
    }
    return json.dumps(rows, indent=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    # name=value items may follow options: collect them after the known arguments.
    args, extra = parser.parse_known_args(argv)
    if extra and (args.command != "layer" or any(e.startswith("-") for e in extra)):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "layer":
        args.arguments += extra
    try:
        out = _summary(args) if args.command == "summary" else _layer(args)
    except CalcError as e:
        print(f"calc: {printable(str(e))}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError) as e:
        print(f"calc: input too large or nested too deeply ({type(e).__name__})", file=sys.stderr)
        return 2
    with contextlib.suppress(BrokenPipeError):
        print(out)
    return 0
