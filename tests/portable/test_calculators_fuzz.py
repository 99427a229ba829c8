"""Fuzzing the calculators through the browser worker's entry point: any form values give either a result or
calc's message for a field; nothing else escapes (the worker would otherwise report a crash, not a message)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from kernel_lab.calculators import CALCULATORS, inputs
from kernel_lab.forms import Input
from kernel_lab.worker import handle

FIELD_TEXT = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.lists(st.integers(min_value=-2, max_value=40), max_size=14).map(lambda v: ", ".join(map(str, v))),
    st.sampled_from(["", " ", "3, 3, 3", "1e3", "0x10", "٣", "9" * 5000, "same", "valid", "true", "{", "null"]),
)


SEED_JSON = (Path(__file__).parents[1] / "data" / "fuzz_seed.json").read_text()


def _value(spec: Input) -> st.SearchStrategy[Any]:
    """Mostly plausible values for the field (so that the calculation itself runs), sometimes junk."""
    if spec.kind == "int":
        low = -3 if spec.minimum is None else spec.minimum - 2
        high = 300 if spec.maximum is None else min(spec.maximum, 300) + 2
        plausible: st.SearchStrategy[Any] = st.integers(low, high).map(str)
    elif spec.kind == "choice":
        plausible = st.sampled_from(spec.choices)
    elif spec.kind == "bool":
        plausible = st.sampled_from(["true", "false", True, False])
    elif spec.name == "source":
        plausible = st.integers(0, len(SEED_JSON)).map(lambda cut: SEED_JSON[: max(cut, len(SEED_JSON) - 40)])
    else:
        plausible = st.lists(st.integers(1, 9), min_size=1, max_size=6).map(lambda v: ", ".join(map(str, v)))
    return st.integers(0, 12).flatmap(lambda i: FIELD_TEXT if i == 0 else plausible)  # junk in 1 field of 13


@st.composite
def requests(draw: Any) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(CALCULATORS)))
    values = {spec.name: draw(_value(spec)) for spec in inputs(name) if spec.kind != "file" and draw(st.booleans())}
    return {"name": name, "inputs": values}


@settings(max_examples=400, deadline=None)
@given(requests())
def test_any_form_values_give_a_result_or_a_message(request: dict[str, Any]) -> None:
    reply = json.loads(handle(json.dumps(request)))
    event(f"{request['name']}: {'result' if reply['ok'] else 'message'}")
    if reply["ok"]:
        assert reply["html"].strip()
    else:
        names = {spec.name for spec in inputs(request["name"])}
        assert reply["field"] in names | {""}
        assert reply["message"] and "\n" not in reply["message"]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=6),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=6), c),
        max_leaves=8,
    )
)
def test_malformed_requests_get_a_message(request: Any) -> None:
    assume(not (isinstance(request, dict) and isinstance(request.get("name"), str) and request["name"] in CALCULATORS))
    reply = json.loads(handle(json.dumps(request)))
    assert reply["ok"] is False and reply["message"] and "\n" not in reply["message"]


def test_text_that_is_not_json_gets_a_message() -> None:
    assert json.loads(handle("{"))["ok"] is False
