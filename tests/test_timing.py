"""The timing stage: its stored record is evidence (samples long enough, ratios recomputable from the samples,
calc's figures right), a tiny real run writes that record, and a current record is not measured again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.examples import stats, timing

ROOT = Path(__file__).resolve().parent.parent
RECORDS = sorted((ROOT / "results").glob("*/timing.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module", params=RECORDS, ids=[p.parent.name for p in RECORDS])
def record(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)


def test_a_record_is_committed() -> None:
    assert RECORDS, "no results/<machine>/timing.json: run python -m scripts.examples.timing"


def test_every_sample_lasts_at_least_5_ms(record: dict[str, Any]) -> None:
    for g in record["groups"]:
        for name, v in g["variants"].items():
            shortest = min(t * n for t, n in zip(v["samples_s"], v["sample_calls"], strict=True))
            assert shortest >= timing.MIN_SAMPLE_S, (g["id"], name, shortest)


def test_variants_of_a_group_were_sampled_in_the_same_rounds(record: dict[str, Any]) -> None:
    for g in record["groups"]:
        counts = {len(v["samples_s"]) for v in g["variants"].values()}
        assert counts == {g["rounds"]}, g["id"]
        assert g["rounds"] >= record["method"]["min_rounds"]


def test_stored_ratios_and_verdicts_follow_from_the_samples(record: dict[str, Any]) -> None:
    for g in record["groups"]:
        for r in g["ratios"]:
            again = stats.paired_ratio(g["variants"][r["a"]]["samples_s"], g["variants"][r["b"]]["samples_s"])
            assert (r["median"], r["low"], r["high"]) == (again.median, again.low, again.high)
            assert r["verdict"] == stats.verdict(again) and r["precise"] == again.precise


def test_computed_figures_are_calcs_and_right(record: dict[str, Any]) -> None:
    """Hand-derived: one 7×7 Conv2D 64 → 64 on 56 × 56 ('same') does 56·56·64·64·49 multiply-adds per image and
    has 7·7·64·64 + 64 parameters; three 3×3 layers keep the input and three outputs of 56·56·64 floats each."""
    g = next(g for g in record["groups"] if g["id"] == "56x56x64/b8/forward")
    single, stacked = g["variants"]["single"]["computed"], g["variants"]["stacked"]["computed"]
    assert single["macs_per_example"] == 56 * 56 * 64 * 64 * 49
    assert single["params"] == 7 * 7 * 64 * 64 + 64
    assert single["flops"] == 2 * 56 * 56 * 64 * 64 * 49 * 8
    assert stacked["kept_bytes"] == 4 * 8 * 4 * (56 * 56 * 64)
    # SeparableConv2D: input, depthwise output and pointwise output
    assert g["variants"]["separable"]["computed"]["kept_bytes"] == 4 * 8 * 3 * (56 * 56 * 64)
    train = next(g for g in record["groups"] if g["id"] == "stem/b1/train")["variants"]["single"]["computed"]
    assert train["flops"] == 2 * 2 * 112 * 112 * 64 * 7 * 7 * 3  # first layer: forward + weight gradient only


def test_gflops_use_the_median(record: dict[str, Any]) -> None:
    for g in record["groups"]:
        for v in g["variants"].values():
            assert v["gflops"] == pytest.approx(v["computed"]["flops"] / stats.spread(v["samples_s"]).median / 1e9)


TINY = {
    "tiny": timing.Shape(
        (8, 8, 4),
        4,
        "same",
        1,
        (1, 2),
        {"single": [timing.conv(4, 7, "same")], "stacked": [timing.conv(4, 3, "same")] * 3},
    )
}


def test_a_tiny_run_writes_a_record_and_a_second_run_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "SHAPES", TINY)
    monkeypatch.setattr(timing, "PEAK_SIZE", 256)
    args = ["--results-dir", str(tmp_path), "--min-rounds", "3", "--max-rounds", "3"]
    assert timing.main(args) == 0
    (path,) = tmp_path.glob("*/timing.json")
    rec = load(path)
    assert [g["id"] for g in rec["groups"]] == ["tiny/b1/forward", "tiny/b1/train", "tiny/b2/forward", "tiny/b2/train"]
    assert all(g["rounds"] == 3 and len(g["ratios"]) == 1 for g in rec["groups"])
    assert rec["peak"]["gflops"] > 0 and set(rec["overhead"]) == {"forward", "train"}
    before = path.stat().st_mtime_ns
    assert timing.main(args) == 0
    assert path.stat().st_mtime_ns == before  # current: not measured again


def test_the_cached_path_does_not_import_tensorflow() -> None:
    """A current record is recognised without TensorFlow (which takes seconds to import)."""
    from scripts.examples import machine

    fp = machine.fingerprint()
    path = ROOT / "results" / fp["key"] / "timing.json"
    if not path.exists() or load(path)["inputs"] != timing.inputs(fp):
        pytest.skip(f"no current timing record for this machine ({fp['key']}): it would measure for minutes")
    code = (
        "import sys; from scripts.examples import timing; rc = timing.main([]); print(rc, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["0", "False"], out.stdout + out.stderr
