"""benchmarks/semble_backends.py: the index time it reports and the frontier verdict it prints."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def backends():
    spec = importlib.util.spec_from_file_location("semble_backends", ROOT / "benchmarks" / "semble_backends.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["semble_backends"] = module
    spec.loader.exec_module(module)
    return module


def test_index_time_prefers_the_recorded_wall_then_sums_the_log(backends, tmp_path: Path) -> None:
    assert backends.index_time(tmp_path) == (None, "not recorded")
    (tmp_path / "index.log").write_text(
        "semble dev split: 2 repositories, trees /t, home /h\n"
        "  indexed gin: 1637 chunks written, files 98 indexed / 0 failed, 12.5 s (full)\n"
        "  gin: lexical 0.8 vector 0.8 hybrid 0.9 (1.0 s)\n"
        "  indexed zod: 4997 chunks written, files 275 indexed / 1 failed, 76.5 s\n")
    secs, how = backends.index_time(tmp_path)
    assert secs == pytest.approx(89.0) and "2 repositories" in how
    (tmp_path / "index_time.json").write_text(json.dumps({"wall_s": 95.0, "load_before": [1.0, 1, 1],
                                                          "load_after": [2.5, 2, 2]}))
    assert backends.index_time(tmp_path) == (95.0, "wall, load 1.0 -> 2.5")


def _summary(hybrid: float, lang: str = "go") -> dict:
    modes = {m: {"ndcg10": v, "by_language": {lang: v}, "by_category": {"semantic": v}}
             for m, v in (("lexical", 0.8), ("vector", 0.7), ("hybrid", hybrid))}
    return {"repos": 1, "queries": 20, "modes": modes, "per_repo": {"gin": {"chunks": 1637}}}


def test_the_first_backend_is_judged_against_the_best(backends, capsys) -> None:
    times = {"static": (10.0, "wall"), "onnx": (900.0, "wall")}
    out = backends.table({"static": _summary(0.825), "onnx": _summary(0.840)}, times)
    assert out["gap_of_first"] == pytest.approx(0.015)
    assert "NOT within 0.01" in capsys.readouterr().out
    out = backends.table({"static": _summary(0.835), "onnx": _summary(0.840)}, times)
    assert out["gap_of_first"] == pytest.approx(0.005)
    printed = capsys.readouterr().out
    assert "within 0.01" in printed and "NOT" not in printed
    assert "| static | 1 | 20 | 1637 | 0.800 | 0.700 | 0.835 | -0.005 | 10 s (wall) |" in printed


def test_a_backend_without_a_home_is_a_usage_error(backends) -> None:
    with pytest.raises(SystemExit, match="MODEL=HOME"):
        backends.parse_backends(["static"])


def test_index_time_of_a_subset_sums_only_its_repositories(backends, tmp_path: Path) -> None:
    (tmp_path / "index.log").write_text(
        "  indexed gin: 1637 chunks written, files 98 indexed / 0 failed, 12.5 s (full)\n"
        "  indexed zod: 4997 chunks written, files 275 indexed / 0 failed, 76.5 s (full)\n"
        "  indexed gin: 1637 chunks written, files 98 indexed / 0 failed, 14.0 s (full)\n")
    (tmp_path / "index_time.json").write_text(json.dumps({"wall_s": 95.0, "load_before": [1.0], "load_after": [2.0]}))
    assert backends.index_time(tmp_path, {"gin"}) == (14.0, "sum of 1 repositories in index.log")
    assert backends.index_time(tmp_path, {"gin", "cats"})[1].endswith("1 not in the log")
