"""The plugins' options as the authors' page shows them: read from the config classes themselves (the option's
name, its type and default from the schema, its description from the docstring under it in the source), so the
page and the schema cannot disagree."""

from __future__ import annotations

import ast
import inspect
import itertools
from typing import Any

from kernel_lab.html import Markup, html, join

__all__ = ["FIGURES", "config_classes", "option_rows", "options_table"]


def config_classes() -> dict[str, type]:
    """The plugins' config classes by plugin name (imported here, not at the top: the plugin imports the figures)."""
    from kernel_lab_mkdocs.plugin import KernelLabConfig
    from kernel_lab_mkdocs.theme import ThemePatchConfig

    return {"kernel-lab": KernelLabConfig, "kernel-lab-theme": ThemePatchConfig}


def _descriptions(config_class: type) -> dict[str, str]:
    """Each option's docstring (the string literal right after its assignment in the class body)."""
    tree = ast.parse(inspect.getsource(config_class))
    body = tree.body[0].body  # type: ignore[attr-defined]
    found = {}
    for stmt, after in itertools.pairwise(body):
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            )
        ):
            found[stmt.targets[0].id] = inspect.cleandoc(after.value.value)
    return found


def _kind(option: Any) -> str:
    choices = getattr(option, "choices", None)
    if choices:
        return " | ".join(choices)
    expected = getattr(option, "_type", None) or getattr(getattr(option, "option_type", None), "_type", None)
    name = getattr(expected, "__name__", type(option).__name__)
    return f"list of {name}" if type(option).__name__ == "ListOfItems" else name


def option_rows(config_class: type) -> list[tuple[str, str, str, str]]:
    """(option, type, default, description) for every option of ``config_class``, in the schema's order."""
    descriptions = _descriptions(config_class)
    rows = []
    for name, option in config_class._schema:  # type: ignore[attr-defined]
        default = option.default
        shown = ", ".join(map(str, default)) if isinstance(default, list) else str(default)
        rows.append((name, _kind(option), shown if shown else "(empty)", descriptions.get(name, "")))
    return rows


def options_table(plugin: str) -> Markup:
    """The options of one plugin (the marker's data-arg: kernel-lab or kernel-lab-theme): each option's name, type
    and default, then what it does (a definition list: it reads on a phone, where a four-column table would not)."""
    classes = config_classes()
    if plugin not in classes:
        raise ValueError(f"plugin_options: data-arg must be one of {', '.join(classes)}, not {plugin!r}")
    items = [
        html("<dt><code>{}</code>: {}, default <code>{}</code></dt><dd>{}</dd>", name, kind, default, text)
        for name, kind, default, text in option_rows(classes[plugin])
    ]
    return html(
        '<p class="kl-note">The {} plugin\'s options (mkdocs.yml: plugins: - {}: ...)</p>'
        '<dl class="kl-options">{}</dl>',
        plugin,
        plugin,
        join(items),
    )


FIGURES = {"plugin_options": options_table}
