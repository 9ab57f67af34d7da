"""Git checkouts for manifest entries given as URLs: clone once, pin a commit, reuse.

The driver resolves each URL's revision to a commit and checks it out under a cache folder
(default `$MNEMO_HOME/checkouts`); a worker on another machine that lacks the folder makes the
same checkout of the same commit, so every process reads identical bytes. Local directories
are used as they are (on a multi-machine cluster they must be on a shared file system).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mnemo.config import ConfigError, data_dir


class CheckoutError(ConfigError):
    """A git URL cannot be cloned or its revision is unknown (exit code 2)."""


@dataclass(frozen=True)
class Checkout:
    root: Path
    url: str
    commit: str


def checkouts_dir() -> Path:
    return Path(os.environ.get("MNEMO_CHECKOUTS") or data_dir() / "checkouts")


def checkout_path(url: str, base: Path | None = None) -> Path:
    """A stable folder per URL: readable name + a short hash so two forks never share one."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:60] or "repo"
    digest = hashlib.blake2b(url.encode(), digest_size=6).hexdigest()
    return (base or checkouts_dir()) / f"{slug}-{digest}"


def _git(args: list[str], cwd: Path | None, what: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=1800,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except FileNotFoundError as exc:
        raise CheckoutError("git is not installed; it is needed for git URLs in the manifest") from exc
    except subprocess.TimeoutExpired as exc:
        raise CheckoutError(f"{what}: git {args[0]} took longer than 30 minutes") from exc
    if done.returncode != 0:
        raise CheckoutError(f"{what}: git {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip()


def ensure_checkout(url: str, revision: str | None, *, root: Path | None = None, origin: str = "") -> Checkout:
    """Clone `url` (or fetch into the existing clone) and check out `revision` detached.

    `revision` may be a branch, tag or commit; None means the remote's default branch. Returns
    the commit checked out, which the driver hands to the workers as the revision to use.
    """
    what = origin or url
    root = root or checkout_path(url)
    if not (root / ".git").exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        _git(["clone", "--quiet", "--no-checkout", url, str(root)], None, what)
    elif revision is None or not _has_commit(root, revision):
        _git(["fetch", "--quiet", "--tags", "origin"], root, what)
    target = revision or "origin/HEAD"
    if revision is not None and not _has_commit(root, revision) and _has_commit(root, f"origin/{revision}"):
        target = f"origin/{revision}"
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{target}^{{commit}}"], root, what)
    except CheckoutError as exc:
        raise CheckoutError(f"{what}: unknown revision {revision!r} in {url}") from exc
    head = _git(["rev-parse", "HEAD"], root, what) if (root / ".git" / "HEAD").exists() else ""
    if head != commit or not any(p.name != ".git" for p in root.iterdir()):
        _git(["checkout", "--quiet", "--force", "--detach", commit], root, what)
    return Checkout(root=root, url=url, commit=commit)


def _has_commit(root: Path, revision: str) -> bool:
    done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd=root,
                          capture_output=True, text=True)
    return done.returncode == 0
