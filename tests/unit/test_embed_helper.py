"""The resident embedding helper: started on demand, private, same vectors as in-process, stopped."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from mnemo.embed import helper


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = Path("/tmp") / f"mnemo-test-{os.getpid()}-{tmp_path.name[-8:]}"  # short: socket paths are limited
    monkeypatch.setenv("MNEMO_RUN_DIR", str(path))
    yield path
    helper.stop_all()
    shutil.rmtree(path, ignore_errors=True)


def test_a_helper_starts_on_demand_answers_like_the_model_and_stops(run_dir: Path, embedder) -> None:
    # the static model keeps this fast; the helper serves any model name the same way
    client = helper.connect(embedder.model_name)
    assert (client.model_name, client.dimension, client.model_hash) == (
        embedder.model_name, embedder.dimension, embedder.model_hash)
    texts = ["function retry in net.ts\nretry(fn) { return fn(); }", "find a user by email"]
    assert np.allclose(client.embed_documents(texts), embedder.embed_documents(texts), atol=1e-6)
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert helper.connect(embedder.model_name, start=False).model_hash == embedder.model_hash  # found again
    assert helper.stop_all() == [embedder.model_name]
    with pytest.raises(helper.ModelError, match="no embedding helper"):
        helper.connect(embedder.model_name, start=False)


def test_a_directory_others_may_enter_is_refused(run_dir: Path) -> None:
    run_dir.mkdir(mode=0o755)
    os.chmod(run_dir, 0o755)
    with pytest.raises(helper.ModelError, match="private"):
        helper.socket_path("all-MiniLM-L6-v2")
    os.rmdir(run_dir)
