"""Fuzzing the analyzer: a real Keras config with one value anywhere replaced by junk either still analyses or
raises a CalcError with a one-line message; never another exception.

The seed config (tests/data/fuzz_seed.json) was written by Keras itself: tests/data/make_fuzz_seed.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import calc
from calc.text import text_table

SEED = json.loads((Path(__file__).parents[1] / "data" / "fuzz_seed.json").read_text())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the JSON tree: dict keys and list indices from the root."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(SEED)[1:]

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["same", "valid", "Conv2D", "InputLayer", "__keras_tensor__", "Sequential", "Functional"]),
    st.lists(st.integers(min_value=-3, max_value=40), max_size=4),
    st.just([None, None, None, 3]),
    st.just({}),
    st.just([]),
    st.just([[]]),
)


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    mutated = copy.deepcopy(tree)
    if not path:
        return value
    node = mutated
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return mutated


def _delete(tree: Any, path: tuple[Any, ...]) -> Any:
    mutated = copy.deepcopy(tree)
    node = mutated
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return mutated


def _analyse(config: Any) -> None:
    try:
        result = calc.summarize(config)
    except calc.CalcError as e:
        assert str(e) and "\n" not in str(e)
        return
    json.dumps(result.to_dict())  # the result must serialise
    assert text_table(result)


def test_seed_is_a_real_model() -> None:
    s = calc.summarize(SEED)
    assert not s.partial and s.params == 1109  # model.count_params() printed by make_fuzz_seed.py


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from(PATHS), JUNK)
def test_one_value_replaced(path: tuple[Any, ...], junk: Any) -> None:
    _analyse(_replace(SEED, path, junk))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(PATHS))
def test_one_entry_removed(path: tuple[Any, ...]) -> None:
    _analyse(_delete(SEED, path))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(PATHS), JUNK), min_size=2, max_size=5))
def test_several_values_replaced(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    config = SEED
    for path, junk in changes:
        try:
            config = _replace(config, path, junk)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed that place
    _analyse(config)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=len(json.dumps(SEED)) - 1), st.integers(min_value=1, max_value=40))
def test_truncated_or_spliced_text(cut: int, width: int) -> None:
    text = json.dumps(SEED)
    _analyse(text[:cut])
    _analyse(text[:cut] + text[cut + width :])
