"""A calculator's configuration taken away as code: a runnable Keras script and the ``python -m calc`` command.

Every script builds the configuration as ``model``, a ``keras.Model`` on a ``keras.Input(shape=...)``, with Keras'
own argument names. A calculator that compares several configurations (the kernel comparison's variants, the
Inception module naive and with 1×1 reductions) builds one model per configuration: ``models`` maps each one's
name, as the page's table names it and in the table's order, to its model, and ``model`` is the first of them.

Values reach the text only as Python literals (repr) or shell words (shlex.quote): ints, bools, the choices the
calculators validated, and layer class names that calc knows; anything else raises TypeError or ValueError.

>>> script = layer_script("Conv2D", (32, 32, 3), {"filters": 8, "kernel_size": (3, 3), "padding": "same"})
>>> print(script.split("\\n")[3])
inputs = keras.Input(shape=(32, 32, 3))
>>> print(layer_command("Conv2D", (32, 32, 3), {"filters": 8, "kernel_size": (3, 3), "padding": "same"}))
python -m calc layer Conv2D --input-shape 32,32,3 filters=8 'kernel_size=[3,3]' padding=same
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence

import calc
from kernel_lab.html import Markup, html

__all__ = [
    "code_panel",
    "command_panel",
    "inception_script",
    "kernel_compare_script",
    "layer_command",
    "layer_script",
    "summary_command",
    "summary_panel",
]

_MAIN = '\n\nif __name__ == "__main__":\n    model.summary()\n'
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


def _literal(value: object) -> str:
    """``value`` as a Python literal: an int, a bool, a string (repr, in double quotes where it can) or a tuple
    of ints.

    >>> print(_literal("same"), _literal("it's"), _literal('say "x"'), _literal((3, 3)), _literal(True))
    "same" "it's" 'say "x"' (3, 3) True
    """
    if isinstance(value, str):
        text = repr(value)  # single quotes unless the text has one: double quotes when it has neither
        return f'"{text[1:-1]}"' if text[0] == "'" and '"' not in value else text
    if isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, (tuple, list)) and value and all(_is_int(v) for v in value):
        return "(" + ", ".join(repr(v) for v in value) + ")"
    raise TypeError(f"not a literal for generated code: {type(value).__name__}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(name: str, values: Sequence[object]) -> tuple[int, ...]:
    """``values`` checked to be positive ints (not bools)."""
    out = []
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{name}: expected positive whole numbers, got {values!r}")
        out.append(v)
    return tuple(out)


def _class(class_name: str) -> tuple[str, tuple[str, ...]]:
    """A layer class calc knows (so a plain identifier) and the Keras arguments it takes."""
    try:
        arguments = calc.layer_arguments(class_name)
    except (KeyError, TypeError):
        raise ValueError(f"not a layer class calc knows: {class_name!r}") from None
    if not class_name.isidentifier():
        raise ValueError(f"not a layer class name: {class_name!r}")
    return class_name, arguments


def _call(callee: str, arguments: Mapping[str, object], indent: str = "") -> str:
    """``callee(name=value, ...)``, one argument a line."""
    lines = "".join(f"{indent}    {name}={_literal(value)},\n" for name, value in arguments.items())
    return f"{callee}(\n{lines}{indent})"


def layer_script(
    class_name: str, input_shape: Sequence[int], config: Mapping[str, object], dtype: str = "float32"
) -> str:
    """A Keras script building one ``class_name`` layer with ``config`` on ``input_shape`` (no batch axis) as
    ``model``. Only the arguments the class takes are passed; ``dtype`` (the memory figures' data type) is
    passed when Keras layers take it (float types), else said in a comment."""
    name, takes = _class(class_name)
    shape = _ints("input_shape", input_shape)
    arguments = {k: config[k] for k in takes if k in config}
    lines = ["# Kernel Lab, one layer: the configuration as a Keras model."]
    if dtype in _FLOAT_DTYPES:
        arguments["dtype"] = dtype
    else:
        lines.append(f"# The page's memory figures assume {_literal(dtype)}; Keras layers take a float dtype.")
    lines += [
        "import keras",
        "",
        f"inputs = keras.Input(shape={_literal(shape)})",
        f"layer = {_call(f'keras.layers.{name}', arguments)}",
        "model = keras.Model(inputs, layer(inputs))",
    ]
    return "\n".join(lines) + _MAIN


def _cli_word(name: str, value: object) -> str:
    """``name=value`` for calc's CLI (values are JSON, or plain strings when they are not JSON), for a shell."""
    if isinstance(value, str):
        try:
            json.loads(value)
            text = json.dumps(value)  # it would read as JSON: write it as a JSON string
        except ValueError:
            text = value
    elif isinstance(value, (bool, int)) or (isinstance(value, (tuple, list)) and all(_is_int(v) for v in value)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        raise TypeError(f"{name}: not a value for the command line: {type(value).__name__}")
    return shlex.quote(f"{name}={text}")


def layer_command(class_name: str, input_shape: Sequence[int], config: Mapping[str, object]) -> str:
    """The ``python -m calc layer`` command giving the figures of one ``class_name`` layer with ``config``."""
    name, takes = _class(class_name)
    shape = ",".join(map(str, _ints("input_shape", input_shape)))
    words = ["python -m calc layer", shlex.quote(name), "--input-shape", shape]
    words += [_cli_word(k, config[k]) for k in takes if k in config]
    return " ".join(words)


def summary_command(file_name: str, input_shapes: Sequence[Sequence[int]] | None = None) -> str:
    """The ``python -m calc summary`` command for a model saved as ``file_name``, with the analyzer's input
    shapes (one per model input) when given.

    >>> print(summary_command("model.json", [(224, 224, 3), (10,)]))
    python -m calc summary model.json --input-shape '224,224,3;10'
    """
    words = ["python -m calc summary", shlex.quote(file_name)]
    if input_shapes:
        text = ";".join(",".join(map(str, _ints("input_shape", s))) for s in input_shapes)
        words += ["--input-shape", shlex.quote(text)]
    return " ".join(words)


def summary_panel(field: str, input_shapes: Sequence[Sequence[int]] | None = None, application: str = "") -> Markup:
    """The analyzer's model as a ``python -m calc summary`` command, with how to save the model first: where it
    came from is ``field``, the analyzer's field ('source': pasted JSON, saved as model.json; 'model_file': a
    dropped file; 'application': a keras.applications model, saved with Keras)."""
    if field == "application":
        if not application.isidentifier():
            raise ValueError(f"not a keras.applications model name: {application!r}")
        save = f'keras.applications.{application}(weights=None).save("model.keras")'
        note = html("Save the model with Keras first (Python: <code>{}</code>), then:", save)
        return command_panel(summary_command("model.keras", input_shapes), note)
    if field == "model_file":
        note = html("With the dropped file saved as <code>model.keras</code> (or give its own name):")
        return command_panel(summary_command("model.keras", input_shapes), note)
    note = html("Save the JSON as <code>model.json</code>, then:")
    return command_panel(summary_command("model.json", input_shapes), note)


def kernel_variant_names(k: int) -> tuple[str, str, str, str]:
    """The kernel comparison's variants, as its table names them."""
    return (
        f"one {k}×{k} Conv2D",
        f"{(k - 1) // 2} stacked 3×3 Conv2D",
        f"1×{k} then {k}×1 Conv2D",
        f"{k}×{k} SeparableConv2D",
    )


def kernel_compare_script(
    kernel_size: int, input_shape: Sequence[int], filters: Sequence[int], strides: int, use_bias: bool
) -> str:
    """The kernel comparison's variants as Keras models (``models``, in the table's order; ``model`` is the
    first): one k×k Conv2D, (k − 1)/2 stacked 3×3 (one per value of ``filters``; none when k is 3), 1×k then
    k×1, one k×k SeparableConv2D; padding 'same', ``strides`` on each variant's first layer ((1, s) then (s, 1)
    for 1×k then k×1), and a ReLU on every layer (the page counts one nonlinearity per layer)."""
    (k,) = _ints("kernel_size", (kernel_size,))
    shape = _ints("input_shape", input_shape)
    fs = _ints("filters", filters)
    (s,) = _ints("strides", (strides,))
    f, bias = fs[-1], _literal(bool(use_bias))
    names = [_literal(name) for name in kernel_variant_names(k)]
    row_conv = f"conv({_literal((1, k))}, strides={_literal((1, s))})"
    column_conv = f"conv({_literal((k, 1))}, strides={_literal((s, 1))})"
    stack = (
        ""
        if k == 3
        else f"    {names[1]}: build(*[conv((3, 3), f, {s} if i == 0 else 1) for i, f in enumerate({_literal(fs)})]),\n"
    )
    return f"""# Kernel Lab, kernel comparison: each variant as a Keras model.
# models maps each variant's name (in the order of the page's table) to its model; model is the first.
import keras

layers = keras.layers


def build(*stack):
    \"\"\"The layers of ``stack``, one after the other, on the input as a model.\"\"\"
    inputs = keras.Input(shape={_literal(shape)})
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x)


def conv(kernel_size, filters={f}, strides=1, cls=layers.Conv2D):
    return cls(
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding="same",
        use_bias={bias},
        activation="relu",
    )


models = {{
    {names[0]}: build(conv({_literal((k, k))}, strides={s})),
{stack}    {names[2]}: build({row_conv}, {column_conv}),
    {names[3]}: build(conv({_literal((k, k))}, strides={s}, cls=layers.SeparableConv2D)),
}}
model = models[{names[0]}]{_MAIN}"""


def inception_script(
    size: int,
    in_channels: int,
    filters_1x1: int,
    filters_3x3_reduce: int,
    filters_3x3: int,
    filters_5x5_reduce: int,
    filters_5x5: int,
    pool_proj: int,
) -> str:
    """The Inception module as two Keras models (``models``: 'naive' and 'with 1×1 reductions'; ``model`` is
    the naive one): padding 'same', a ReLU after every convolution, the branches concatenated."""
    n, c, b1, r3, b3, r5, b5, pp = _ints(
        "inception",
        (size, in_channels, filters_1x1, filters_3x3_reduce, filters_3x3, filters_5x5_reduce, filters_5x5, pool_proj),
    )
    return f"""# Kernel Lab, Inception module: naive and with 1×1 reductions, each as a Keras model.
# models maps 'naive' and 'with 1×1 reductions' to their models; model is the naive one.
import keras

layers = keras.layers


def conv(filters, kernel_size):
    return layers.Conv2D(filters=filters, kernel_size=kernel_size, padding="same", activation="relu")


def pool():
    return layers.MaxPooling2D(pool_size=(3, 3), strides=1, padding="same")


def naive(x):
    return layers.Concatenate()([conv({b1}, (1, 1))(x), conv({b3}, (3, 3))(x), conv({b5}, (5, 5))(x), pool()(x)])


def with_reductions(x):
    branch_1x1 = conv({b1}, (1, 1))(x)
    branch_3x3 = conv({b3}, (3, 3))(conv({r3}, (1, 1))(x))
    branch_5x5 = conv({b5}, (5, 5))(conv({r5}, (1, 1))(x))
    branch_pool = conv({pp}, (1, 1))(pool()(x))
    return layers.Concatenate()([branch_1x1, branch_3x3, branch_5x5, branch_pool])


def build(module):
    inputs = keras.Input(shape={_literal((n, n, c))})
    return keras.Model(inputs, module(inputs))


models = {{"naive": build(naive), "with 1×1 reductions": build(with_reductions)}}
model = models["naive"]{_MAIN}"""


def code_panel(script: str) -> Markup:
    """A Keras script in the page: a closed "Keras code" section whose ``data-calc-code`` element holds the
    script in ``<pre><code>`` and a copy button (calculators.js copies the text of the ``<code>``)."""
    return html(
        '<details class="kl-code"><summary>Keras code</summary><div data-calc-code>'
        '<pre><code class="language-python">{}</code></pre><p class="kl-tools">'
        '<button type="button" class="kl-button" data-copy-code>Copy code</button></p></div></details>',
        script,
    )


def command_panel(command: str, note: str = "") -> Markup:
    """A shell command in the page: a closed "Command line" section with ``note`` (a paragraph, when given) and
    an element ``data-calc-command`` holding the command in ``<pre><code>`` and a copy button."""
    return html(
        '<details class="kl-code"><summary>Command line</summary>{}<div data-calc-command>'
        '<pre><code class="language-shell">{}</code></pre><p class="kl-tools">'
        '<button type="button" class="kl-button" data-copy-code>Copy command</button></p></div></details>',
        html('<p class="kl-note">{}</p>', note) if note else "",
        command,
    )
