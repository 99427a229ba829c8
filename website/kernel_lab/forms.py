# A calculator's form, declared by its signature: each parameter's type (int, str, bool, bytes), an
# ``Annotated[..., Input(...)]`` label and help text, bounds or choices, and its default. The same
# declaration checks the values a reader types (``coerce``) and writes the form's HTML (``form``).

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import calc
from kernel_lab.html import Markup, html, join

__all__ = ["Input", "InputError", "blame", "coerce", "form", "int_list", "read_inputs"]


class InputError(calc.CalcError):
    """Bad input to a calculator; ``field`` names the form field to show the message next to (or "")."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Input:
    """One form field: what ``Annotated[type, Input(...)]`` declares, completed from the signature.

    ``kind`` is "int", "bool", "choice", "text", "textarea" or "file".
    """

    label: str
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    kind: str = ""
    name: str = ""
    default: Any = None


def read_inputs(fn: Callable[..., Any]) -> tuple[Input, ...]:
    """The form of calculator ``fn``: one Input per parameter, with kind, name and default filled in."""
    hints = typing.get_type_hints(fn, include_extras=True)
    out = []
    for p in inspect.signature(fn).parameters.values():
        hint = hints[p.name]
        spec = next(m for m in hint.__metadata__ if isinstance(m, Input))
        base = typing.get_args(hint)[0]
        kind = spec.kind or ("bool" if base is bool else "int" if base is int else "choice" if spec.choices else "text")
        out.append(replace(spec, kind=kind, name=p.name, default=p.default))
    return tuple(out)


@contextmanager
def blame(fields: Mapping[str, str], fallback: str = "") -> Iterator[None]:
    """Re-raise calc's LayerConfigError as an InputError on the form field its argument maps to."""
    try:
        yield
    except InputError:
        raise
    except calc.LayerConfigError as e:
        raise InputError(fields.get(e.argument, fallback), str(e)) from None
    except calc.CalcError as e:
        raise InputError(fallback, str(e)) from None


def int_list(field: str, text: str, count: int | None = None) -> list[int]:
    """'3, 3, 3' -> [3, 3, 3]; a single value is repeated ``count`` times."""
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        raise InputError(field, "enter at least one whole number")
    values = []
    for p in parts:
        try:
            values.append(int(p))
        except ValueError:
            raise InputError(field, f"{p!r} is not a whole number") from None
    if count is not None and len(values) == 1:
        values *= count
    if count is not None and len(values) != count:
        raise InputError(field, f"give one value, or one per layer ({count}); got {len(values)}")
    return values


def coerce(spec: Input, raw: Any) -> Any:
    """A raw form value (text, or bytes for a file) as the parameter's type; InputError when it is not one."""
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in ("1", "true", "on", "yes")
    if spec.kind == "file":
        if raw is None or raw == "":
            return b""
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise InputError(spec.name, "expected the bytes of a file")
        return bytes(raw)
    text = raw if isinstance(raw, str) else str(raw)
    if spec.kind == "int":
        try:
            value = int(text.strip())
        except ValueError:
            raise InputError(spec.name, f"{spec.label}: enter a whole number, got {text!r}") from None
        if spec.minimum is not None and value < spec.minimum:
            raise InputError(spec.name, f"{spec.label}: must be at least {spec.minimum}, got {value}")
        if spec.maximum is not None and value > spec.maximum:
            raise InputError(spec.name, f"{spec.label}: must be at most {spec.maximum}, got {value}")
        return value
    if spec.kind == "choice" and text not in spec.choices:
        raise InputError(spec.name, f"{spec.label}: must be one of {', '.join(spec.choices)}, got {text!r}")
    return text


def _control(spec: Input, fid: str, value: Any) -> Markup:
    common = html('id="{}" name="{}" aria-describedby="{}-help {}-msg"', fid, spec.name, fid, fid)
    if spec.kind == "bool":
        return html('<input type="checkbox" {}{}>', common, Markup(" checked") if value else "")
    if spec.kind == "choice":
        options = join(
            html('<option value="{}"{}>{}</option>', c, Markup(" selected") if c == value else "", c)
            for c in spec.choices
        )
        return html("<select {}>{}</select>", common, options)
    if spec.kind == "textarea":
        return html('<textarea {} rows="6" spellcheck="false">{}</textarea>', common, value)
    if spec.kind == "file":
        return html('<input type="file" {} accept=".keras,.json">', common)
    numeric = Markup(' inputmode="numeric"') if spec.kind == "int" else ""
    return html('<input type="text" {} value="{}"{} autocomplete="off">', common, value, numeric)


def form(name: str, specs: tuple[Input, ...], prefix: str, values: Mapping[str, Any]) -> Markup:
    """The form of calculator ``name``: a labelled control per input, its help and a slot for its message."""
    fields = []
    for spec in specs:
        fid = f"{prefix}-{spec.name}"
        fields.append(
            html(
                '<div class="kl-field kl-{}"><label for="{}">{}</label>{}<small class="kl-help" id="{}-help">{}</small>'
                '<small class="kl-msg" id="{}-msg"></small></div>',
                spec.kind,
                fid,
                spec.label,
                _control(spec, fid, values.get(spec.name, spec.default)),
                fid,
                spec.help,
                fid,
            )
        )
    return html(
        '<form class="kl-form" novalidate aria-label="{} inputs">{}</form>', name.replace("_", " "), join(fields)
    )
