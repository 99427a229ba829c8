"""The one summary of a benchmark's repeated figures, as the records in benchmarks/ store them."""

from __future__ import annotations

import statistics
from typing import Any


def value_summary(values: list[float]) -> dict[str, Any]:
    """Median, min, max, count and every value, rounded to 0.1 (milliseconds or bytes)."""
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
        "n": len(values),
        "values": [round(v, 1) for v in values],
    }
