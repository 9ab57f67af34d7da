"""Real corpora for the benchmarks, fetched once with the registries' own clients.

Every benchmark indexes third-party code that the repository never vendors: `npm pack` for npm
packages, `pip download` for PyPI sdists or wheels. Archives and unpacked trees live under
benchmarks/.cache/ (gitignored), shared by all benchmarks.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def fetch(name: str, how: str, archive: str, sub: str, cache: Path = CACHE) -> Path:
    """Download and unpack a corpus once; return the directory inside it to index.

    how: `npm:NAME@V`, `pip:NAME==V` (an sdist) or `wheel:NAME==V` (for packages whose sdist needs
    a build to download). archive: the file name (or glob) the download produces. sub: the
    directory to index, relative to the unpacked archive (e.g. `package/src`).
    """
    downloads = cache / "dl"
    target = cache / "src" / name
    root = target / sub
    if root.is_dir():
        return root.resolve()
    downloads.mkdir(parents=True, exist_ok=True)
    if not sorted(downloads.glob(archive)):
        kind, spec = how.split(":", 1)
        if kind in ("pip", "wheel"):
            only = ["--no-binary", ":all:"] if kind == "pip" else ["--only-binary", ":all:"]
            subprocess.run([sys.executable, "-m", "pip", "download", spec, "--no-deps", *only,
                            "-d", str(downloads), "-q"], check=True)
        else:
            subprocess.run(["npm", "pack", spec, "--silent"], cwd=downloads, check=True, stdout=subprocess.DEVNULL)
    matches = sorted(downloads.glob(archive))
    if not matches:
        raise SystemExit(f"download of {name} did not produce {archive} in {downloads}")
    target.mkdir(parents=True, exist_ok=True)
    if matches[0].suffix == ".whl":
        with zipfile.ZipFile(matches[0]) as whl:
            whl.extractall(target)
    else:
        with tarfile.open(matches[0]) as tar:
            tar.extractall(target, filter="data")
    return root.resolve()
