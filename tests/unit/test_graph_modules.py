"""Module specifiers → repository files, per language (mnemo.graph.modules)."""

from __future__ import annotations

import json
from pathlib import Path

from mnemo.graph.modules import ModuleRef, ModuleResolver, TsConfig, load_ts_configs, package_name, strip_jsonc

ES_PATHS = [
    "src/main.ts", "src/utils.ts", "src/lib/index.ts", "src/view.tsx", "src/types.d.ts",
    "src/legacy.js", "src/core/math.ts", "packages/ui/button.ts", "vendor/x.mjs",
]


def es(paths=ES_PATHS, configs=()) -> ModuleResolver:
    return ModuleResolver(paths, configs)


def test_relative_specifiers_try_extensions_and_index_files() -> None:
    r = es()
    assert r.resolve("src/main.ts", "typescript", "./utils") == ModuleRef(path="src/utils.ts")
    assert r.resolve("src/main.ts", "typescript", "./lib") == ModuleRef(path="src/lib/index.ts")
    assert r.resolve("src/main.ts", "typescript", "./view") == ModuleRef(path="src/view.tsx")
    assert r.resolve("src/main.ts", "typescript", "./types") == ModuleRef(path="src/types.d.ts")
    assert r.resolve("src/lib/index.ts", "typescript", "../core/math") == ModuleRef(path="src/core/math.ts")
    assert r.resolve("src/main.ts", "javascript", "./legacy.js") == ModuleRef(path="src/legacy.js")


def test_esm_js_extension_finds_the_typescript_source() -> None:
    assert es().resolve("src/main.ts", "typescript", "./utils.js") == ModuleRef(path="src/utils.ts")


def test_missing_relative_file_is_unresolved_not_external() -> None:
    r = es()
    assert r.resolve("src/main.ts", "typescript", "./nope") == ModuleRef()
    assert r.resolve("src/main.ts", "typescript", "../../../outside") == ModuleRef()


def test_bare_specifiers_are_packages() -> None:
    r = es()
    assert r.resolve("src/main.ts", "typescript", "lodash/map") == ModuleRef(external="lodash")
    assert r.resolve("src/main.ts", "typescript", "@scope/pkg/deep") == ModuleRef(external="@scope/pkg")
    assert package_name("react") == "react"


def test_tsconfig_paths_longest_prefix_first_then_base_url() -> None:
    config = TsConfig(
        directory="", base_url="src",
        paths={"@/*": ["packages/*"], "@core/*": ["core/*"], "exact": ["utils"]}, paths_base="src",
    )
    r = es(configs=[config])
    assert r.resolve("src/main.ts", "typescript", "@core/math") == ModuleRef(path="src/core/math.ts")
    assert r.resolve("src/main.ts", "typescript", "exact") == ModuleRef(path="src/utils.ts")
    assert r.resolve("src/main.ts", "typescript", "lib") == ModuleRef(path="src/lib/index.ts")  # baseUrl
    assert r.resolve("src/main.ts", "typescript", "react") == ModuleRef(external="react")


def test_nearest_tsconfig_applies(tmp_path: Path) -> None:
    (tmp_path / "packages/ui").mkdir(parents=True)
    (tmp_path / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"baseUrl": "src"}}))
    (tmp_path / "packages/ui/tsconfig.json").write_text(
        '{ "extends": "../../tsconfig.json", /* own paths */ "compilerOptions": {"paths": {"~/*": ["./*"]},}, }'
    )
    configs = {c.directory: c for c in load_ts_configs(tmp_path, ["packages/ui", "src"])}
    assert configs[""].base_url == "src"
    ui = configs["packages/ui"]
    assert ui.base_url == "src" and ui.paths == {"~/*": ["./*"]}
    r = es(configs=configs.values())
    # the inherited baseUrl is relative to the root config; paths to the baseUrl
    assert r.resolve("src/main.ts", "typescript", "utils") == ModuleRef(path="src/utils.ts")


def test_strip_jsonc_keeps_strings_intact() -> None:
    text = '{"a": "http://x/*y*/", // c\n "b": [1, 2,], /* d */ "c": "\\"//"}'
    assert json.loads(strip_jsonc(text)) == {"a": "http://x/*y*/", "b": [1, 2], "c": '"//'}


PY_PATHS = [
    "src/app/__init__.py", "src/app/core.py", "src/app/sub/__init__.py", "src/app/sub/deep.py",
    "scripts/tool.py", "scripts/helper.py", "ns/mod.py", "setup.py",
]


def test_python_relative_imports_by_level() -> None:
    r = ModuleResolver(PY_PATHS)
    assert r.resolve("src/app/sub/deep.py", "python", ".") == ModuleRef(path="src/app/sub/__init__.py")
    assert r.resolve("src/app/sub/deep.py", "python", "..core") == ModuleRef(path="src/app/core.py")
    assert r.resolve("src/app/core.py", "python", ".sub.deep") == ModuleRef(path="src/app/sub/deep.py")
    assert r.resolve("src/app/core.py", "python", ".missing") == ModuleRef()


def test_python_absolute_imports_use_package_roots_and_the_script_directory() -> None:
    r = ModuleResolver(PY_PATHS)
    assert r.resolve("scripts/tool.py", "python", "app.sub.deep") == ModuleRef(path="src/app/sub/deep.py")
    assert r.resolve("scripts/tool.py", "python", "app") == ModuleRef(path="src/app/__init__.py")
    assert r.resolve("scripts/tool.py", "python", "helper") == ModuleRef(path="scripts/helper.py")
    assert r.resolve("scripts/tool.py", "python", "ns.mod") == ModuleRef(path="ns/mod.py")
    assert r.resolve("scripts/tool.py", "python", "os.path") == ModuleRef(external="os.path")


def test_python_namespace_package_and_submodules() -> None:
    r = ModuleResolver(PY_PATHS)
    assert r.resolve("setup.py", "python", "ns") == ModuleRef(path="ns/")
    assert r.python_submodule("ns/", "mod") == "ns/mod.py"
    assert r.python_submodule("src/app/__init__.py", "core") == "src/app/core.py"
    assert r.python_submodule("src/app/__init__.py", "nothing") is None


def test_languages_without_module_rules_are_external() -> None:
    r = ModuleResolver(["main.go"])
    assert r.resolve("main.go", "go", "fmt") == ModuleRef(external="fmt")


def test_indexed_directory_that_is_a_package_resolves_its_own_absolute_imports() -> None:
    # `mnemo index src/mnemo`: paths are relative to the package directory itself.
    paths = ["__init__.py", "cli.py", "store/__init__.py", "store/writes.py", "graph/build.py"]
    r = ModuleResolver(paths, root_package="mnemo")
    assert r.resolve("cli.py", "python", "mnemo.store.writes") == ModuleRef(path="store/writes.py")
    assert r.resolve("graph/build.py", "python", "mnemo.store") == ModuleRef(path="store/__init__.py")
    assert r.resolve("cli.py", "python", "mnemo") == ModuleRef(path="__init__.py")
    assert r.resolve("cli.py", "python", "mnemonic.x") == ModuleRef(external="mnemonic.x")
    assert ModuleResolver(paths).resolve("cli.py", "python", "mnemo.store.writes") == ModuleRef(
        external="mnemo.store.writes"
    )


def test_python_package_name_follows_enclosing_packages_on_disk(tmp_path: Path) -> None:
    from mnemo.graph.modules import python_package_name

    (tmp_path / "src" / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "src" / "pkg" / "sub" / "__init__.py").write_text("")
    assert python_package_name(tmp_path / "src" / "pkg") == "pkg"
    assert python_package_name(tmp_path / "src" / "pkg" / "sub") == "pkg.sub"
    assert python_package_name(tmp_path / "src") is None


def test_src_layout_namespace_package_and_several_top_level_packages() -> None:
    paths = ["src/ns/plug/__init__.py", "src/ns/plug/core.py", "src/other/__init__.py", "src/other/x.py",
             "tests/test_x.py"]
    r = ModuleResolver(paths)
    assert r.resolve("tests/test_x.py", "python", "ns.plug.core") == ModuleRef(path="src/ns/plug/core.py")
    assert r.resolve("tests/test_x.py", "python", "other.x") == ModuleRef(path="src/other/x.py")
    assert r.resolve("src/other/x.py", "python", "plug.core") == ModuleRef(path="src/ns/plug/core.py")


def test_workspace_packages_resolve_to_their_sources(tmp_path: Path) -> None:
    from mnemo.graph.modules import find_workspaces

    for name, directory in (("@acme/ui", "packages/ui"), ("@acme/app", "packages/app")):
        (tmp_path / directory / "src").mkdir(parents=True)
        (tmp_path / directory / "package.json").write_text(json.dumps({"name": name}))
    paths = ["packages/ui/src/index.ts", "packages/ui/src/button.ts", "packages/app/src/main.ts"]
    workspaces = find_workspaces(tmp_path, {"packages/ui/src", "packages/app/src"})
    assert workspaces == {"@acme/ui": "packages/ui", "@acme/app": "packages/app"}
    r = ModuleResolver(paths, workspaces=workspaces)
    assert r.resolve("packages/app/src/main.ts", "typescript", "@acme/ui") == ModuleRef(path="packages/ui/src/index.ts")
    assert r.resolve("packages/app/src/main.ts", "typescript", "@acme/ui/button") == ModuleRef(
        path="packages/ui/src/button.ts"
    )
    assert r.resolve("packages/app/src/main.ts", "typescript", "react") == ModuleRef(external="react")
