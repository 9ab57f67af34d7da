"""The scanner: which files are indexed and which are left out, and why."""

from __future__ import annotations

from pathlib import Path

from mnemo.scan import ScanOptions, ScanReport, content_skip_reason, scan


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _paths(root: Path, options: ScanOptions = ScanOptions(), report: ScanReport | None = None) -> list[str]:
    return sorted(f.rel_path for f in scan(root, options, report))


def test_default_excludes_match_whole_path_components(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "src/distance.ts": "export const d = 1;",
        "src/builder.ts": "export const b = 1;",
        "dist/app.js": "x()",
        "packages/a/dist/x.js": "x()",
        "node_modules/lib/index.js": "x()",
        "build/out.py": "x = 1",
        ".git/hooks/pre-commit.py": "x = 1",
        "vendor/v.go": "package v",
    })
    assert _paths(tmp_path) == ["src/builder.ts", "src/distance.ts"]


def test_languages_and_declaration_files(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "a.ts": "", "b.tsx": "", "c.js": "", "d.jsx": "", "e.py": "", "types.d.ts": "",
        "README.md": "", "data.json": "", "lib.min.js": "",
    })
    files = {f.rel_path: f.language for f in scan(tmp_path)}
    assert files == {"a.ts": "typescript", "b.tsx": "tsx", "c.js": "javascript", "d.jsx": "jsx", "e.py": "python"}


def test_gitignore_root_and_nested(tmp_path: Path) -> None:
    _tree(tmp_path, {
        ".gitignore": "generated/\n*.gen.ts\n",
        "src/.gitignore": "local_*.py\n!local_keep.py\n",
        "generated/api.ts": "",
        "src/x.gen.ts": "",
        "src/ok.ts": "",
        "src/local_a.py": "",
        "src/local_keep.py": "",
        "other/local_b.py": "",
    })
    report = ScanReport()
    assert _paths(tmp_path, report=report) == ["other/local_b.py", "src/local_keep.py", "src/ok.ts"]
    assert report.skipped["gitignored"] == 3  # the directory counts once, its files are not walked
    assert sorted(p for p, why in report.paths if why == "gitignored") == [
        "generated/", "src/local_a.py", "src/x.gen.ts"]


def test_include_exclude_and_skip_tests(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "src/app.ts": "", "src/app.test.ts": "", "src/__tests__/b.ts": "", "src/legacy/old.ts": "",
        "tests/test_x.py": "", "pkg/mod.py": "", "pkg/test_mod.py": "", "pkg/mod_test.py": "",
    })
    assert _paths(tmp_path, ScanOptions(skip_tests=True)) == ["pkg/mod.py", "src/app.ts", "src/legacy/old.ts"]
    assert _paths(tmp_path, ScanOptions(include=["src/**"], exclude=["legacy/"])) == [
        "src/__tests__/b.ts", "src/app.test.ts", "src/app.ts",
    ]


def test_size_limit(tmp_path: Path) -> None:
    _tree(tmp_path, {"big.ts": "x" * 5000, "small.ts": "x"})
    report = ScanReport()
    assert _paths(tmp_path, ScanOptions(max_file_bytes=1000), report) == ["small.ts"]
    assert report.skipped == {"too large": 1}


def test_content_skip_reasons() -> None:
    assert content_skip_reason(b"export function f() {}\n") is None
    assert content_skip_reason(b"") is None
    assert content_skip_reason(b"abc\x00def") == "binary"
    assert content_skip_reason(b"var a=1;" * 1000) == "minified or generated (very long lines)"
    normal = b"\n".join([b"const x = 1;"] * 100)
    assert content_skip_reason(normal + b"\n" + b"y" * 3000) is not None
