"""The timing stage: its stored records are evidence (samples long enough, several processes per engine, ratios,
intervals and the spread between runs recomputable from the samples, calc's figures right and hand-derived), a
tiny real run writes every engine's record, an interrupted stage goes on where it stopped, and a current record is
not measured again."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kernel_lab_mkdocs import stats
from scripts.examples import timing

ROOT = Path(__file__).resolve().parent.parent
RECORDS = sorted((ROOT / "results").glob("*/timing*.json"))
TF_RECORDS = [p for p in RECORDS if p.name == "timing.json"]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module", params=RECORDS, ids=[f"{p.parent.name}/{p.name}" for p in RECORDS])
def record(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)


def all_groups(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [*record["groups"], *record.get("networks", [])]


def test_a_record_is_committed_for_every_engine() -> None:
    assert TF_RECORDS, "no results/<machine>/timing.json: run python -m scripts.examples.timing"
    for path in TF_RECORDS:
        for name, engine in timing.ENGINES.items():
            rec = load(path.with_name(engine.file))
            assert (rec["backend"], rec["jit_compile"], rec["engine"]) == (engine.backend, engine.jit_compile, name)


def test_every_sample_lasts_at_least_5_ms(record: dict[str, Any]) -> None:
    for g in all_groups(record):
        for name, v in g["variants"].items():
            shortest = min(t * n for t, n in zip(v["samples_s"], v["sample_calls"], strict=True))
            assert shortest >= timing.MIN_SAMPLE_S, (g["id"], name, shortest)


def test_variants_of_a_group_were_sampled_in_the_same_rounds_of_at_least_three_processes(
    record: dict[str, Any],
) -> None:
    assert len(record["runs"]) >= 3
    for g in all_groups(record):
        assert len(g["rounds_per_run"]) == len(record["runs"]), g["id"]
        for v in g["variants"].values():
            assert [len(s) for s in v["runs_samples_s"]] == g["rounds_per_run"], g["id"]
            assert v["samples_s"] == [t for run in v["runs_samples_s"] for t in run]  # pooled in run order
        assert g["rounds"] == sum(g["rounds_per_run"]) >= record["method"]["min_rounds"]


def test_stored_ratios_intervals_and_verdicts_follow_from_the_samples(record: dict[str, Any]) -> None:
    """Within runs: the bootstrap over the pooled rounds; between runs: each process's median of its per-round
    ratios; the interval a verdict uses: the wider of the two."""
    for g in all_groups(record):
        assert g["ratios"], g["id"]
        for r in g["ratios"]:
            a, b = (g["variants"][n] for n in (r["a"], r["b"]))
            within = stats.paired_ratio(a["samples_s"], b["samples_s"])
            medians = [
                statistics.median([x / y for x, y in zip(ra, rb, strict=True)])
                for ra, rb in zip(a["runs_samples_s"], b["runs_samples_s"], strict=True)
            ]
            assert len(r["between_runs"]["medians"]) >= 3
            assert r["between_runs"]["medians"] == medians
            assert (r["between_runs"]["low"], r["between_runs"]["high"]) == (min(medians), max(medians))
            assert (r["within_run"]["low"], r["within_run"]["high"]) == (within.low, within.high)
            wider = max((within.low, within.high), (min(medians), max(medians)), key=lambda lh: lh[1] - lh[0])
            assert (r["median"], r["low"], r["high"]) == (within.median, *wider)
            used = stats.Ratio(within.median, *wider, within.n)
            assert r["verdict"] == stats.verdict(used) and r["precise"] == used.precise
            assert r["half_width"] == pytest.approx((wider[1] - wider[0]) / 2 / within.median)


def test_computed_figures_are_calcs_and_right(record: dict[str, Any]) -> None:
    """Hand-derived: one 7×7 Conv2D 64 → 64 on 56 × 56 ('same') does 56·56·64·64·49 multiply-adds per image and
    has 7·7·64·64 + 64 parameters; three 3×3 layers keep the input and three outputs of 56·56·64 floats each."""
    # batch 8, or the one batch the XLA-compiled engines time (1)
    ids = {g["id"] for g in record["groups"]}
    b = 8 if "56x56x64/b8/forward" in ids else 1
    g = next(g for g in record["groups"] if g["id"] == f"56x56x64/b{b}/forward")
    single, stacked = g["variants"]["single"]["computed"], g["variants"]["stacked"]["computed"]
    assert single["macs_per_example"] == 56 * 56 * 64 * 64 * 49
    assert single["params"] == 7 * 7 * 64 * 64 + 64
    assert single["flops"] == 2 * 56 * 56 * 64 * 64 * 49 * b
    assert stacked["kept_bytes"] == 4 * b * 4 * (56 * 56 * 64)
    # SeparableConv2D: input, depthwise output and pointwise output
    assert g["variants"]["separable"]["computed"]["kept_bytes"] == 4 * b * 3 * (56 * 56 * 64)
    # dilation_rate 3: a 3×3 kernel's multiply-adds and weights
    assert g["variants"]["dilated"]["computed"]["macs_per_example"] == 56 * 56 * 64 * 64 * 9
    # the RepLKNet pair: both kernels' multiply-adds and weights (with a bias each)
    replk = g["variants"]["replk"]["computed"]
    assert replk["macs_per_example"] == 56 * 56 * 64 * 64 * (49 + 9)
    assert replk["params"] == (49 + 9) * 64 * 64 + 2 * 64
    train = next(g for g in record["groups"] if g["id"] == f"stem/b{b}/train")["variants"]["single"]["computed"]
    assert train["flops"] == b * 2 * 2 * 112 * 112 * 64 * 7 * 7 * 3  # first layer: forward + weight gradient only


def test_gflops_use_the_median(record: dict[str, Any]) -> None:
    for g in all_groups(record):
        for v in g["variants"].values():
            assert v["gflops"] == pytest.approx(v["computed"]["flops"] / stats.spread(v["samples_s"]).median / 1e9)


# --- training FLOPs, derived per op by hand --------------------------------------------------------

H = W = 56
C = 64
DEPTHWISE_7 = H * W * C * 49  # one 7×7 filter per channel
DEPTHWISE_3 = H * W * C * 9
POINTWISE = H * W * C * C  # 1×1, 64 → 64
CONV_7 = H * W * C * C * 49


def train_flops(layers: list[timing.Layer], batch: int = 1) -> int:
    flops: int = timing.computed(layers, (H, W, C), batch, "train")["flops"]
    return flops


def test_separable_training_flops_count_the_pointwise_input_gradient() -> None:
    """A SeparableConv2D is a depthwise layer, then a pointwise one. As the first layer, the depthwise part reads
    the input and needs no input gradient (forward + weight gradient: 2×); the pointwise part reads the depthwise
    output and needs its input gradient (3×). A Conv2D first layer: 2×. At 56×56×64 → 64:
    separable 7×7 / Conv2D 7×7 = (2·D7 + 3·P) / (2·C7) = 0.0462, separable 7×7 / separable 3×3 = 1.38."""
    sep7, sep3 = train_flops([timing.separable(C, 7)]), train_flops([timing.separable(C, 3)])
    conv7 = train_flops([timing.conv(C, 7, "same")])
    assert sep7 == 2 * (2 * DEPTHWISE_7 + 3 * POINTWISE)
    assert conv7 == 2 * 2 * CONV_7
    assert round(sep7 / conv7, 4) == 0.0462
    assert round(sep7 / sep3, 2) == 1.38
    assert sep3 == 2 * (2 * DEPTHWISE_3 + 3 * POINTWISE)


def test_training_flops_every_later_op_has_an_input_gradient() -> None:
    """After a first layer, every op computes its input gradient: a separable layer second in a chain counts 3× for
    its depthwise part too; the batch multiplies everything."""
    flops = train_flops([timing.conv(C, 3, "same"), timing.separable(C, 7)], batch=4)
    assert flops == 4 * 2 * (2 * H * W * C * C * 9 + 3 * DEPTHWISE_7 + 3 * POINTWISE)
    stacked = train_flops([timing.conv(C, 3, "same")] * 3)
    assert stacked == 2 * (2 + 3 + 3) * H * W * C * C * 9


def test_training_flops_of_parallel_branches_at_the_input() -> None:
    """RepLKNet's pair as a first layer: both kernels read the input, so neither computes an input gradient; the
    addition and the ReLU do no multiply-adds."""
    pair = timing.parallel(timing.conv(C, 7, "same"), timing.conv(C, 3, "same"))
    assert train_flops([pair]) == 2 * 2 * (CONV_7 + H * W * C * C * 9)
    ops, kept, params, shape = timing.chain([pair], (H, W, C))
    assert [op.macs for op in ops] == [CONV_7, H * W * C * C * 9, 0, 0]
    assert kept == [H * W * C] * 4  # two branch outputs, the sum, the ReLU
    assert params == (49 + 9) * C * C + 2 * C and shape == (H, W, C)


# --- the whole network ---------------------------------------------------------------------------


def test_resnet50_stems_are_calcs_and_hand_derived() -> None:
    """The stored ResNet-50 figures: the 7×7/2 stem does 112·112·64·7·7·3 multiply-adds per image; ResNet-C's
    3×3/2 → 32, 3×3 → 32, 3×3 → 64 does 112·112·(32·27 + 32·288 + 64·288); the rest of the network is the same,
    so the totals differ by exactly the stems' difference."""
    for path in TF_RECORDS:
        groups = load(path)["networks"]
        assert [g["id"] for g in groups] == ["resnet50/b1/forward", "resnet50/b8/forward"]
        plain, c = (groups[1]["variants"][n]["computed"] for n in ("resnet", "resnet_c"))
        assert groups[1]["variants"]["resnet"]["computed"]["flops"] == 2 * 8 * plain["macs_per_example"]
        assert plain["stem_macs_per_example"] == 112 * 112 * 64 * 49 * 3
        assert c["stem_macs_per_example"] == 112 * 112 * (32 * 27 + 32 * 288 + 64 * 288)
        assert c["macs_per_example"] - plain["macs_per_example"] == (
            c["stem_macs_per_example"] - plain["stem_macs_per_example"]
        )
        assert plain["params"] == 25_636_712  # keras.applications.ResNet50(weights=None).count_params()


def test_resnet_c_stem_is_built_in_keras() -> None:
    """The network timed is keras.applications' ResNet-50 with the two stem layers swapped, and calc reads it."""
    pytest.importorskip("tensorflow")
    plain, c = timing.resnet50("resnet"), timing.resnet50("resnet_c")
    assert plain.count_params() == 25_636_712
    # ResNet-C adds 3·3·3·32 + 3·3·32·32 + 3·3·32·64 weights (+ biases 32 + 32 + 64) and two BatchNormalizations
    # (4 · 32 each) in place of the 7×7's 7·7·3·64 + 64
    added = (27 * 32 + 288 * 32 + 288 * 64 + 128 + 2 * 4 * 32) - (49 * 3 * 64 + 64)
    assert c.count_params() - plain.count_params() == added
    figures = timing.network_computed(c, 8)
    assert figures["params"] == c.count_params() and figures["flops"] == 2 * 8 * figures["macs_per_example"]
    assert list(c.outputs[0].shape[1:]) == [1000]


# --- the stage ------------------------------------------------------------------------------------

TINY_ARGS = ["--tiny", "--runs", "2", "--min-rounds", "3", "--max-rounds", "3", "--budget", "60"]


def test_a_tiny_run_writes_every_engines_record_and_a_second_run_is_cached(tmp_path: Path) -> None:
    args = ["--results-dir", str(tmp_path / "results"), "--work-dir", str(tmp_path / "work"), *TINY_ARGS]
    assert timing.main([*args, "--engines", "tensorflow,jax"]) == 0
    tf = load(next(tmp_path.glob("results/*/timing.json")))
    jax = load(next(tmp_path.glob("results/*/timing-jax.json")))
    assert [g["id"] for g in tf["groups"]] == ["tiny/b1/forward", "tiny/b1/train", "tiny/b8/forward", "tiny/b8/train"]
    assert [g["id"] for g in jax["groups"]] == ["tiny/b1/forward", "tiny/b1/train"]  # one batch on XLA's engines
    assert (tf["backend"], jax["backend"]) == ("tensorflow", "jax")
    for rec in (tf, jax):
        assert len(rec["runs"]) == 2 and all(g["rounds_per_run"] == [3, 3] for g in rec["groups"])
        assert all(len(g["ratios"]) == 2 for g in rec["groups"])  # stacked and the RepLKNet pair against the 7×7
        assert all(len(r["between_runs"]["medians"]) == 2 for g in rec["groups"] for r in g["ratios"])
        assert rec["peak"]["gflops"] > 0 and set(rec["overhead"]) == {"forward", "train"}
    assert not list((tmp_path / "work").glob("*.json"))  # each process's samples go once the record is written
    before = next(tmp_path.glob("results/*/timing.json")).stat().st_mtime_ns
    t = time.monotonic()
    assert timing.main([*args, "--engines", "tensorflow,jax"]) == 0
    assert time.monotonic() - t < 1
    assert next(tmp_path.glob("results/*/timing.json")).stat().st_mtime_ns == before  # current: not measured again


def test_an_interrupted_stage_loses_nothing_and_goes_on_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second measuring process fails: no record is written (none half-written), the first process's samples
    stay; the next run starts only the missing process."""
    args = ["--results-dir", str(tmp_path / "results"), "--work-dir", str(tmp_path / "work"), *TINY_ARGS]
    args += ["--engines", "tensorflow"]
    real = subprocess.run
    started: list[list[str]] = []

    def failing_second(argv: list[str], **kw: Any) -> Any:
        started.append(argv)
        if len(started) == 2:
            return subprocess.CompletedProcess(argv, 1)
        return real(argv, **kw)

    monkeypatch.setattr(subprocess, "run", failing_second)
    assert timing.main(args) == 1
    assert not list((tmp_path / "results").glob("*/timing.json"))
    assert len(list((tmp_path / "work").glob("*-tensorflow-0.json"))) == 1
    started.clear()

    def counted(argv: list[str], **kw: Any) -> Any:
        started.append(argv)
        return real(argv, **kw)

    monkeypatch.setattr(subprocess, "run", counted)
    assert timing.main(args) == 0
    assert len(started) == 1  # only the run that was missing
    rec = load(next(tmp_path.glob("results/*/timing.json")))
    assert len(rec["runs"]) == 2


def test_the_cached_path_does_not_import_tensorflow() -> None:
    """Current records are recognised without TensorFlow or JAX (which take seconds to import), within a second."""
    from scripts.examples import machine

    fp = machine.fingerprint()
    for name, engine in timing.ENGINES.items():
        path = ROOT / "results" / fp["key"] / engine.file
        if not path.exists() or load(path)["inputs"] != timing.inputs(fp, name):
            pytest.skip(f"no current {engine.file} for this machine ({fp['key']}): it would measure for minutes")
    code = (
        "import sys, time; t = time.monotonic(); from scripts.examples import timing; rc = timing.main([]);"
        "print(rc, 'tensorflow' in sys.modules or 'jax' in sys.modules, time.monotonic() - t < 1)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["0", "False", "True"], out.stdout + out.stderr
