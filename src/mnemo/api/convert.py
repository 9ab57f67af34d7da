"""Turn what the stages return (dataclasses, Paths, datetimes, numpy scalars) into JSON values.

The stages exchange plain dataclasses; the API passes them through rather than re-declaring
every field, so a field a stage adds reaches clients without touching the API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
from pathlib import PurePath
from typing import Any


def to_jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-serialisable copy of `value`. Non-finite floats become None (JSON has no NaN)."""
    if _depth > 32:
        return None
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, _depth + 1)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v, _depth + 1) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        try:
            return to_jsonable(value.item(), _depth + 1)
        except Exception:
            pass
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy array
        return to_jsonable(value.tolist(), _depth + 1)
    if hasattr(value, "_asdict"):
        return to_jsonable(value._asdict(), _depth + 1)
    if hasattr(value, "__dict__"):
        return {k: to_jsonable(v, _depth + 1) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)
