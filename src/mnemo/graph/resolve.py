"""Scope, import and export resolution: which definition a call, a base class or an import means.

Pure: it works on a `SymbolTable` of plain dataclasses (definitions with their node ids, and each
module's imports and exports), so every rule can be tested without a database.

The order follows the language's own lookup, as far as syntax alone allows:
  bare call `f()`          the caller's own scope (nested definitions), the file's imports
                           (`import { helper as h }` makes `h()` a call to the exported `helper`,
                           through default exports, re-exports and index files), Python star
                           imports, then same-file top-level definitions, then the runtime's
                           builtins, then a globally unique name (a guess: confidence 0.5).
  `this.m()` / `self.m()`  methods of the enclosing class, then of its bases (the MRO, breadth
                           first); `super.m()` / `super().m()` start at the bases.
  `ns.f()` / `Cls.m()`     the qualifier is resolved like a bare name (namespace imports, Python
                           packages and submodules, classes for static calls); a qualifier bound
                           to a package import makes the call external.
  `obj.m()`                the receiver's type is unknown: a method name defined once in the
                           repository is a guess (0.5); a name the runtime's types also carry
                           (`push`, `get`) counts the builtin as one more candidate.
Ambiguity is never resolved silently: up to MAX_CANDIDATES candidates each get an edge marked
'ambiguous' with confidence 1/n, more give one edge without a target node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mnemo.graph import scope
from mnemo.graph.modules import ModuleRef, ModuleResolver, TsConfig
from mnemo.graph.rules import LanguageRules, rules_for
from mnemo.models import Call, Export, Import, ImportedName, ParsedFile

MAX_CANDIDATES = 4
GUESS_CONFIDENCE = 0.5
_MAX_DEPTH = 24  # re-export chains and class hierarchies deeper than this are cut off

CALLABLE_KINDS = frozenset({"function", "method", "class"})
CLASS_KINDS = frozenset({"class", "interface"})
FUNCTION_KINDS = frozenset({"function", "method"})

# Resolution labels, also the values of graph_edges.resolution.
RESOLVED = ("scope", "import", "this", "qualified", "same_file", "unique_name", "ambiguous")
UNRESOLVED = ("external", "builtin", "local", "unresolved", "ambiguous")


@dataclass(slots=True)
class Definition:
    """A graph node that stands for a chunk: what resolution needs to know about it."""

    node: int
    path: str
    kind: str
    name: str
    qualified_name: str
    parent: str | None = None
    exported: bool = False
    bases: tuple[str, ...] = ()
    implements: tuple[str, ...] = ()

    @property
    def is_top_level(self) -> bool:
        return self.parent is None and self.qualified_name == self.name


@dataclass(slots=True)
class Module:
    """One file: its module node, its imports and exports, and its definitions by name."""

    path: str
    language: str
    node: int
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    top: dict[str, list[int]] = field(default_factory=dict)  # top-level definitions by name
    qualified: dict[str, list[int]] = field(default_factory=dict)  # all definitions by qualified name
    _bindings: dict[str, tuple[Import, ImportedName]] | None = None

    def bindings(self) -> dict[str, tuple[Import, ImportedName]]:
        """Local name → the import that binds it (the last one wins, as at run time)."""
        if self._bindings is None:
            found: dict[str, tuple[Import, ImportedName]] = {}
            for imp in self.imports:
                for imported in imp.names:
                    if imported.local != "*":
                        found[imported.local] = (imp, imported)
            self._bindings = found
        return self._bindings

    def star_imports(self) -> list[Import]:
        """Python `from x import *` statements (their names are looked up in x on demand)."""
        return [imp for imp in self.imports if any(n.name == "*" and n.alias is None for n in imp.names)]


@dataclass(frozen=True, slots=True)
class Symbol:
    """What a name stands for: definitions, a module (namespace), or something outside the
    repository. All empty: the name is bound, but to nothing the resolver can find."""

    nodes: tuple[int, ...] = ()
    module: str | None = None
    external: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One edge end: a node, or (node None) the text of an external/unresolved target."""

    node: int | None
    resolution: str
    confidence: float = 1.0
    target: str | None = None


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """The targets of one call site; `local` says the call may well be to repository code
    (resolved, or left unresolved/ambiguous although a local namesake exists)."""

    targets: tuple[Target, ...]
    local: bool

    @property
    def resolution(self) -> str:
        return self.targets[0].resolution


class SymbolTable:
    """The repository's definitions and modules: O(definitions + imports), no source text."""

    def __init__(self) -> None:
        self.modules: dict[str, Module] = {}
        self.definitions: dict[int, Definition] = {}
        self.global_top: dict[str, list[int]] = {}
        self.global_methods: dict[str, list[int]] = {}
        self.members: dict[int, dict[str, int]] = {}  # class node → method name → node

    def add_module(
        self, path: str, language: str, node: int, imports: Iterable[Import] = (), exports: Iterable[Export] = ()
    ) -> Module:
        module = Module(path=path, language=language, node=node, imports=list(imports), exports=list(exports))
        self.modules[path] = module
        return module

    def add_definition(self, definition: Definition) -> None:
        module = self.modules[definition.path]
        self.definitions[definition.node] = definition
        module.qualified.setdefault(definition.qualified_name, []).append(definition.node)
        if definition.is_top_level:
            module.top.setdefault(definition.name, []).append(definition.node)
            self.global_top.setdefault(definition.name, []).append(definition.node)
        elif definition.kind == "method":
            self.global_methods.setdefault(definition.name, []).append(definition.node)

    def finish(self) -> None:
        """Attach methods to their classes once every definition is in."""
        for definition in self.definitions.values():
            if definition.parent is None:
                continue
            owner = self.class_named(self.modules[definition.path], definition.parent)
            if owner is not None and definition.kind in FUNCTION_KINDS:
                self.members.setdefault(owner, {}).setdefault(definition.name, definition.node)

    def class_named(self, module: Module, qualified_name: str) -> int | None:
        for node in module.qualified.get(qualified_name, ()):
            if self.definitions[node].kind in CLASS_KINDS:
                return node
        return None

    def kind(self, node: int) -> str:
        return self.definitions[node].kind


def _clean_qualifier(qualifier: str | None) -> str | None:
    """`a?.b!` → `a.b`; whitespace and optional-chaining marks do not change the receiver."""
    if qualifier is None:
        return None
    text = re.sub(r"\s+", "", qualifier).replace("?.", ".").replace("!", "")
    return text.rstrip(".?") or None


def _clean_base(text: str) -> str | None:
    """`Base<T>` / `Generic[T]` / `mod.Base` → the class name; keyword arguments are not bases."""
    text = text.strip()
    if not text or "=" in text or text.startswith("*"):
        return None
    text = re.split(r"[<\[(]", text, maxsplit=1)[0].strip()
    return text or None


class Resolver:
    """Answers what calls, bases and imports of a module point at. Caches per repository build."""

    def __init__(self, table: SymbolTable, modules: ModuleResolver) -> None:
        self.table = table
        self.modules = modules
        self._members: dict[tuple[str, str], Symbol | None] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._bases: dict[int, tuple[Target, ...]] = {}

    # -- modules and exports ------------------------------------------------------------------

    def module_ref(self, module: Module, specifier: str) -> ModuleRef:
        return self.modules.resolve(module.path, module.language, specifier)

    def member_of(self, path: str, name: str, depth: int = 0) -> Symbol | None:
        """What module `path` exports (ES) or defines/binds (Python) under `name`."""
        key = (path, name)
        if key in self._members:
            return self._members[key]
        if key in self._in_progress or depth > _MAX_DEPTH:
            return None  # a re-export cycle
        self._in_progress.add(key)
        try:
            found = self._member_uncached(path, name, depth)
        finally:
            self._in_progress.discard(key)
        self._members[key] = found
        return found

    def _member_uncached(self, path: str, name: str, depth: int) -> Symbol | None:
        module = self.table.modules.get(path)
        if module is None:  # a Python namespace package (a directory) or an unindexed file
            sub = self.modules.python_submodule(path, name) if path.endswith("/") else None
            return Symbol(module=sub) if sub else None
        if rules_for(module.language).family == "python":
            return self._member_python(module, name, depth)
        return self._member_es(module, name, depth)

    def _member_es(self, module: Module, name: str, depth: int) -> Symbol | None:
        for export in module.exports:
            if export.name != name:
                continue
            if export.source is None:
                found = self._local_symbol(module, export.local or name, depth)
                if found is not None:
                    return found
            else:
                return self._reexport(module, export, depth)
        if name == "default":
            return None
        exported = [n for n in module.top.get(name, ()) if self.table.definitions[n].exported]
        if exported:
            return Symbol(nodes=tuple(exported))
        star = self._through_star_exports(module, name, depth)
        if star is not None:
            return star
        if not module.exports and name in module.top:
            # CommonJS (`module.exports = …`, `exports.f = …`) or a script: no export records.
            return Symbol(nodes=tuple(module.top[name]))
        return None

    def _local_symbol(self, module: Module, local: str, depth: int) -> Symbol | None:
        if local in module.top:
            return Symbol(nodes=tuple(module.top[local]))
        binding = module.bindings().get(local)
        if binding is not None:
            return self.binding_symbol(module, *binding, depth=depth + 1)
        return None

    def _reexport(self, module: Module, export: Export, depth: int) -> Symbol | None:
        ref = self.module_ref(module, export.source or "")
        local = export.local or export.name
        if ref.external:
            return Symbol(external=ref.external if local == "*" else f"{ref.external}:{local}")
        if ref.path is None:
            return Symbol()
        if local == "*":  # export * as ns from './x'
            return Symbol(module=ref.path)
        return self.member_of(ref.path, local, depth + 1) or Symbol()

    def _through_star_exports(self, module: Module, name: str, depth: int) -> Symbol | None:
        found: list[Symbol] = []
        for export in module.exports:
            if export.name != "*" or export.source is None:
                continue
            ref = self.module_ref(module, export.source)
            if ref.path is not None:
                symbol = self.member_of(ref.path, name, depth + 1)
                if symbol is not None and symbol not in found:
                    found.append(symbol)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:  # TypeScript reports this as an error; keep every candidate
            return Symbol(nodes=tuple(n for s in found for n in s.nodes))
        return None

    def _member_python(self, module: Module, name: str, depth: int) -> Symbol | None:
        if name in module.top:
            return Symbol(nodes=tuple(module.top[name]))
        binding = module.bindings().get(name)
        if binding is not None:
            return self.binding_symbol(module, *binding, depth=depth + 1)
        for imp in module.star_imports():
            ref = self.module_ref(module, imp.source)
            if ref.path is not None:
                symbol = self.member_of(ref.path, name, depth + 1)
                if symbol is not None:
                    return symbol
        sub = self.modules.python_submodule(module.path, name) if _is_package(module.path) else None
        return Symbol(module=sub) if sub else None

    def binding_symbol(self, module: Module, imp: Import, imported: ImportedName, depth: int = 0) -> Symbol:
        """What a local name bound by `imp` stands for."""
        python = rules_for(module.language).family == "python"
        source = imp.source
        if python and imported.name == "*" and "." in source and imported.alias == source.split(".")[0]:
            source = source.split(".")[0]  # `import a.b` binds `a`
        ref = self.module_ref(module, source)
        if ref.external:
            whole = imported.name in ("*", "default")  # the package object itself
            return Symbol(external=ref.external if whole else f"{ref.external}:{imported.name}")
        if ref.path is None:
            return Symbol()
        if imported.name == "*":
            return Symbol(module=ref.path)
        found = self.member_of(ref.path, imported.name, depth + 1)
        if found is not None:
            return found
        if imported.name == "default":
            return Symbol(module=ref.path)  # a CommonJS module object
        return Symbol()

    # -- names -------------------------------------------------------------------------------

    def name_symbol(self, module: Module, scope: Definition | None, name: str) -> tuple[Symbol | None, str | None]:
        """A bare name, looked up in the scope, imports and file; no global guess."""
        nested = self._in_scope(module, scope, name)
        if nested:
            return Symbol(nodes=nested), "scope"
        binding = module.bindings().get(name)
        if binding is not None:
            return self.binding_symbol(module, *binding), "import"
        if rules_for(module.language).family == "python":
            for imp in module.star_imports():
                ref = self.module_ref(module, imp.source)
                if ref.path is not None:
                    symbol = self.member_of(ref.path, name)
                    if symbol is not None:
                        return symbol, "import"
        if name in module.top:
            return Symbol(nodes=tuple(module.top[name])), "same_file"
        return None, None

    def _in_scope(self, module: Module, scope: Definition | None, name: str) -> tuple[int, ...]:
        """Definitions nested in the caller or in the functions that enclose it."""
        if scope is None:
            return ()
        prefix = scope.qualified_name
        while prefix:
            if self._is_function(module, prefix):
                nested = tuple(
                    n for n in module.qualified.get(f"{prefix}.{name}", ()) if self.table.kind(n) != "method"
                )
                if nested:
                    return nested
            prefix = prefix.rpartition(".")[0]
        return ()

    def _is_function(self, module: Module, qualified_name: str) -> bool:
        return any(self.table.kind(n) in FUNCTION_KINDS for n in module.qualified.get(qualified_name, ()))

    def enclosing_class(self, module: Module, caller: Definition | None) -> int | None:
        if caller is None:
            return None
        if caller.kind in CLASS_KINDS:
            return caller.node
        if caller.parent:
            found = self.table.class_named(module, caller.parent)
            if found is not None:
                return found
        prefix = caller.qualified_name.rpartition(".")[0]
        while prefix:
            found = self.table.class_named(module, prefix)
            if found is not None:
                return found
            prefix = prefix.rpartition(".")[0]
        return None

    # -- calls -------------------------------------------------------------------------------

    def call(
        self, module: Module, caller: Definition | None, call: Call, shadowed: frozenset[str] = frozenset()
    ) -> CallOutcome:
        """Resolve one call made in `caller` (None: at module top level) of `module`.

        `shadowed`: names the caller declares itself (parameters, variables, nested functions);
        a call to one of them, or on one of them, is local to the caller (see scope.py)."""
        rules = rules_for(module.language)
        qualifier = _clean_qualifier(call.qualifier)
        head = (qualifier or call.name).split(".")[0]
        if head in shadowed and (qualifier is None or qualifier not in rules.self_names):
            if qualifier is None:
                return CallOutcome((Target(None, "local", target=call.name),), False)
            return self._unknown_receiver(f"{qualifier}.{call.name}", call.name, rules)
        if qualifier is None:
            outcome = self._bare(module, caller, call.name, rules)
        elif qualifier in rules.self_names:
            outcome = self._on_self(module, caller, call.name, rules, from_bases=False)
        elif rules.is_super(qualifier):
            outcome = self._on_self(module, caller, call.name, rules, from_bases=True)
        else:
            outcome = self._qualified(module, caller, qualifier, call.name, rules)
        return self._with_constructors(outcome, rules)

    def _with_constructors(self, outcome: CallOutcome, rules: LanguageRules) -> CallOutcome:
        """Instantiating a class (`new C()`, `C()`) also runs its constructor: both are targets."""
        if rules.constructor is None or not any(
            t.node is not None and self.table.kind(t.node) == "class" for t in outcome.targets
        ):
            return outcome
        targets = list(outcome.targets)
        for target in outcome.targets:
            if target.node is not None and self.table.kind(target.node) == "class":
                constructor, _ = self.find_method([target.node], rules.constructor)
                if constructor is not None:
                    targets.append(Target(constructor, target.resolution, target.confidence, target.target))
        return CallOutcome(tuple(targets), outcome.local)

    def _bare(self, module: Module, caller: Definition | None, name: str, rules: LanguageRules) -> CallOutcome:
        symbol, label = self.name_symbol(module, caller, name)
        if symbol is not None and label is not None:
            return self._from_symbol(symbol, label, name)
        if name == "super" and rules.family == "ecmascript":
            return self._super_constructor(module, caller)
        if name in rules.builtins:
            return CallOutcome((Target(None, "builtin", target=name),), False)
        candidates = [n for n in self.table.global_top.get(name, ()) if self.table.kind(n) in CALLABLE_KINDS]
        if not self._may_guess(module, rules):
            # In an ES module or in Python, a name that is neither imported nor defined in the
            # file cannot be another file's definition: it is a local, a parameter or a global.
            return CallOutcome((Target(None, "unresolved", target=name),), False)
        if rules.family == "generic":
            same_package = [n for n in candidates if _directory(self.table.definitions[n].path) == _directory(module.path)]
            candidates = same_package or candidates
        return self._guess(candidates, name)

    @staticmethod
    def _may_guess(module: Module, rules: LanguageRules) -> bool:
        """Whether other files' top-level names are visible without an import: in scripts
        (JS without import/export) and languages whose packages span files (Go, Java, …)."""
        if rules.family == "generic":
            return True
        return rules.family == "ecmascript" and not module.imports and not module.exports

    def _super_constructor(self, module: Module, caller: Definition | None) -> CallOutcome:
        """`super(...)` in a constructor calls the base class (its constructor)."""
        owner = self.enclosing_class(module, caller)
        bases = self.class_bases(owner) if owner is not None else ()
        for base in bases:
            if base.node is not None:
                return CallOutcome((Target(base.node, "this", base.confidence),), True)
        outside = next((b.target for b in bases if b.target), "super")
        return CallOutcome((Target(None, "external" if bases else "builtin", target=outside),), False)

    def _from_symbol(self, symbol: Symbol, label: str, text: str) -> CallOutcome:
        if symbol.nodes:
            nodes = [n for n in symbol.nodes if self.table.kind(n) in CALLABLE_KINDS] or list(symbol.nodes)
            if len(nodes) == 1:
                return CallOutcome((Target(nodes[0], label),), True)
            return self._ambiguous(nodes, text)
        if symbol.external:
            return CallOutcome((Target(None, "external", target=symbol.external),), False)
        return CallOutcome((Target(None, "unresolved", target=text),), bool(self.table.global_top.get(text)))

    def _guess(self, candidates: list[int], text: str, builtin_too: bool = False) -> CallOutcome:
        """A global guess by name: unique → 0.5, several → ambiguous, none → unresolved."""
        if not candidates:
            return CallOutcome((Target(None, "builtin" if builtin_too else "unresolved", target=text),), False)
        if len(candidates) == 1 and not builtin_too:
            return CallOutcome((Target(candidates[0], "unique_name", GUESS_CONFIDENCE, target=text),), True)
        return self._ambiguous(candidates, text, extra=1 if builtin_too else 0)

    @staticmethod
    def _ambiguous(candidates: list[int], text: str, extra: int = 0) -> CallOutcome:
        count = len(candidates) + extra
        if count > MAX_CANDIDATES:
            return CallOutcome((Target(None, "ambiguous", target=text),), True)
        share = 1.0 / count
        return CallOutcome(tuple(Target(n, "ambiguous", share, target=text) for n in candidates), True)

    def _on_self(
        self, module: Module, caller: Definition | None, name: str, rules: LanguageRules, from_bases: bool
    ) -> CallOutcome:
        text = f"{'super' if from_bases else 'this'}.{name}"
        owner = self.enclosing_class(module, caller)
        if owner is None:
            return CallOutcome((Target(None, "unresolved", target=text),), name in self.table.global_methods)
        starts = [t.node for t in self.class_bases(owner) if t.node is not None] if from_bases else [owner]
        node, outside = self.find_method(starts, name)
        if from_bases and node is None and not outside:
            outside = next((t.target for t in self.class_bases(owner) if t.node is None and t.target), None)
        if node is not None:
            return CallOutcome((Target(node, "this"),), True)
        if outside:
            return CallOutcome((Target(None, "external", target=f"{outside}.{name}"),), False)
        if name in rules.builtin_methods:
            return CallOutcome((Target(None, "builtin", target=text),), False)
        return CallOutcome((Target(None, "unresolved", target=text),), name in self.table.global_methods)

    def find_method(self, classes: list[int], name: str) -> tuple[int | None, str | None]:
        """The first `name` method in the classes and their bases (breadth first). Also returns
        the name of a base outside the repository, where an unfound method may come from."""
        queue, seen, outside = list(classes), set(classes), None
        index = 0
        while index < len(queue) and index < _MAX_DEPTH * 4:
            cls = queue[index]
            index += 1
            method = self.table.members.get(cls, {}).get(name)
            if method is not None:
                return method, None
            for base in self.class_bases(cls):
                if base.node is None:
                    outside = outside or (base.target if base.resolution in ("external", "builtin") else None)
                elif base.node not in seen:
                    seen.add(base.node)
                    queue.append(base.node)
        return None, outside

    def _qualified(
        self, module: Module, caller: Definition | None, qualifier: str, name: str, rules: LanguageRules
    ) -> CallOutcome:
        text = f"{qualifier}.{name}"
        symbol, label = self.qualifier_symbol(module, caller, qualifier)
        if symbol is None:
            if qualifier.split(".")[0] in rules.builtins:
                return CallOutcome((Target(None, "builtin", target=text),), False)
            return self._unknown_receiver(text, name, rules)
        if symbol.external:
            return CallOutcome((Target(None, "external", target=f"{symbol.external}.{name}"),), False)
        if symbol.module is not None:
            member = self.member_of(symbol.module, name)
            if member is None:
                return CallOutcome((Target(None, "unresolved", target=text),), False)
            return self._from_symbol(member, "import" if label == "import" else "qualified", text)
        classes = [n for n in symbol.nodes if self.table.kind(n) in CLASS_KINDS]
        if classes:
            node, outside = self.find_method(classes, name)
            if node is not None:
                return CallOutcome((Target(node, "qualified"),), True)
            if outside:
                return CallOutcome((Target(None, "external", target=f"{outside}.{name}"),), False)
            return CallOutcome((Target(None, "unresolved", target=text),), False)
        if symbol.nodes:  # a property of a function object: fn.call(), fn.bind()
            return self._unknown_receiver(text, name, rules)
        return CallOutcome((Target(None, "unresolved", target=text),), False)

    def qualifier_symbol(
        self, module: Module, scope: Definition | None, qualifier: str
    ) -> tuple[Symbol | None, str | None]:
        """`a.b.c` → what it names, when `a` is bound in the file (import, class, function)."""
        head, *rest = qualifier.split(".")
        symbol, label = self.name_symbol(module, scope, head)
        if symbol is None:
            return None, None
        for part in rest:
            if symbol.external:
                symbol = Symbol(external=f"{symbol.external}.{part}")
            elif symbol.module is not None:
                symbol = self.member_of(symbol.module, part) or Symbol()
            elif symbol.nodes:
                nested = self._nested_class(symbol.nodes, part)
                if nested is None:
                    return None, None  # an attribute of an instance or function: type unknown
                symbol = Symbol(nodes=(nested,))
            else:
                return symbol, label
        return symbol, label

    def _nested_class(self, nodes: tuple[int, ...], name: str) -> int | None:
        for node in nodes:
            definition = self.table.definitions[node]
            if definition.kind in CLASS_KINDS:
                found = self.table.class_named(
                    self.table.modules[definition.path], f"{definition.qualified_name}.{name}"
                )
                if found is not None:
                    return found
        return None

    def _unknown_receiver(self, text: str, name: str, rules: LanguageRules) -> CallOutcome:
        """`obj.m()` with obj's type unknown: only a method name can match, never a function.

        A name that the runtime's own types carry (`get`, `push`, `items`, `toString`) is never
        attached by name alone: `dict.get` is no call to a repository's `get`. Another name
        defined once in the repository is a guess (confidence 0.5, 'unique_name'); several
        candidates give one edge without a target ('ambiguous'), since a method name shared by
        several classes says nothing about which one a receiver of unknown type is."""
        if name in rules.builtin_methods:
            return CallOutcome((Target(None, "builtin", target=text),), False)
        candidates = list(self.table.global_methods.get(name, ()))
        if len(candidates) > 1:
            return CallOutcome((Target(None, "ambiguous", target=text),), True)
        return self._guess(candidates, text)

    # -- bases and imports -------------------------------------------------------------------

    def class_bases(self, node: int) -> tuple[Target, ...]:
        """The resolved `extends` of a class or interface (cached)."""
        cached = self._bases.get(node)
        if cached is None:
            definition = self.table.definitions[node]
            module = self.table.modules[definition.path]
            cached = tuple(t for text in definition.bases for t in self.base_targets(module, definition, text))
            self._bases[node] = cached
        return cached

    def base_targets(self, module: Module, definition: Definition, text: str) -> list[Target]:
        """What one `extends`/`implements` entry names: local classes/interfaces or outside code."""
        name = _clean_base(text)
        if name is None:
            return []
        rules = rules_for(module.language)
        scope = self._scope_of(module, definition)
        if "." in name:
            symbol, label = self.qualifier_symbol(module, scope, name)
        else:
            symbol, label = self.name_symbol(module, scope, name)
        if symbol is not None and label is not None:
            nodes = [n for n in symbol.nodes if self.table.kind(n) in CLASS_KINDS and n != definition.node]
            if len(nodes) == 1:
                return [Target(nodes[0], "qualified" if label == "scope" else label)]
            if nodes:
                return list(self._ambiguous(nodes, name).targets)
            if symbol.external:
                return [Target(None, "external", target=symbol.external)]
            return [Target(None, "unresolved", target=name)]
        if name.split(".")[0] in rules.builtin_bases:
            return [Target(None, "builtin", target=name)]
        candidates = [
            n for n in self.table.global_top.get(name, ()) if self.table.kind(n) in CLASS_KINDS and n != definition.node
        ]
        return list(self._guess(candidates, name).targets)

    def overridden(self, method: Definition) -> list[Target]:
        """The methods of the same name in the bases of the method's class (nearest first)."""
        if method.parent is None:
            return []
        owner = self.table.class_named(self.table.modules[method.path], method.parent)
        if owner is None:
            return []
        found = []
        for base in self.class_bases(owner):
            if base.node is None:
                continue
            node, _ = self.find_method([base.node], method.name)
            if node is not None and node != method.node:
                found.append(Target(node, "this", base.confidence))
        return found

    def _scope_of(self, module: Module, definition: Definition) -> Definition | None:
        """The function a class is defined in, if any (its bases are looked up there)."""
        prefix = definition.qualified_name.rpartition(".")[0]
        while prefix:
            for node in module.qualified.get(prefix, ()):
                if self.table.kind(node) in FUNCTION_KINDS:
                    return self.table.definitions[node]
            prefix = prefix.rpartition(".")[0]
        return None

    def import_targets(self, module: Module) -> Iterator[tuple[Target, int]]:
        """module → module edges, one per imported file (Python `from pkg import mod` → mod)."""
        python = rules_for(module.language).family == "python"
        for imp in module.imports:
            ref = self.module_ref(module, imp.source)
            if ref.external:
                yield Target(None, "external", target=ref.external), imp.line
                continue
            if ref.path is None:
                yield Target(None, "unresolved", target=imp.source), imp.line
                continue
            submodules = self._imported_submodules(ref.path, imp) if python else []
            for path in submodules:
                yield Target(self.table.modules[path].node, "import"), imp.line
            target = self.table.modules.get(ref.path)
            if target is not None and (not submodules or len(submodules) < len(imp.names)):
                yield Target(target.node, "import"), imp.line

    def _imported_submodules(self, package: str, imp: Import) -> list[str]:
        found = []
        for imported in imp.names:
            if imported.name == "*":
                continue
            symbol = self.member_of(package, imported.name)
            if symbol is not None and symbol.module and symbol.module in self.table.modules:
                found.append(symbol.module)
        return found

    def container(self, definition: Definition) -> int:
        """The node that contains a definition: its class, its enclosing function, or its module."""
        module = self.table.modules[definition.path]
        if definition.parent:
            owner = self.table.class_named(module, definition.parent)
            if owner is not None and owner != definition.node:
                return owner
        prefix = definition.qualified_name.rpartition(".")[0]
        while prefix:
            for node in module.qualified.get(prefix, ()):
                if node != definition.node:
                    return node
            prefix = prefix.rpartition(".")[0]
        return module.node


def _directory(path: str) -> str:
    return path.rpartition("/")[0]


def _is_package(path: str) -> bool:
    return path.endswith("/") or path.rsplit("/", 1)[-1] in ("__init__.py", "__init__.pyi")


# -- edges ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Edge:
    """One row of graph_edges: merged over the call sites of the same (src, dst, type)."""

    src: int
    dst: int | None
    type: str
    resolution: str
    confidence: float
    target: str | None
    line: int | None
    sites: int = 1


class EdgeSet:
    """The edges of one file (or of the structure pass), merged per (src, dst|target, type).

    A pair resolved differently at two sites keeps its most confident resolution."""

    def __init__(self) -> None:
        self._edges: dict[tuple, Edge] = {}

    def add(self, src: int, type_: str, target: Target, line: int | None) -> None:
        if target.node is not None:
            key: tuple = (src, target.node, type_)
        else:
            key = (src, None, type_, target.resolution, target.target)
        edge = self._edges.get(key)
        if edge is None:
            self._edges[key] = Edge(src, target.node, type_, target.resolution, target.confidence, target.target, line)
            return
        edge.sites += 1
        if line is not None and (edge.line is None or line < edge.line):
            edge.line = line
        if target.confidence > edge.confidence:
            edge.resolution, edge.confidence, edge.target = target.resolution, target.confidence, target.target

    def __iter__(self) -> Iterator[Edge]:
        return iter(self._edges.values())

    def __len__(self) -> int:
        return len(self._edges)

    def clear(self) -> None:
        self._edges.clear()


@dataclass
class CallStats:
    """Call sites by outcome, for `graph stats` and the build summary."""

    by_resolution: dict[str, int] = field(default_factory=dict)
    sites: int = 0
    local: int = 0  # sites that may be to repository code (see CallOutcome.local)
    local_resolved: int = 0  # … of which resolved to exactly one node

    def count(self, outcome: CallOutcome) -> None:
        self.sites += 1
        label = outcome.resolution
        self.by_resolution[label] = self.by_resolution.get(label, 0) + 1
        if outcome.local:
            self.local += 1
            if label != "ambiguous" and outcome.targets[0].node is not None:
                self.local_resolved += 1

    def to_json(self) -> dict:
        rate = self.local_resolved / self.local if self.local else None
        return {
            "call_sites": self.sites,
            "by_resolution": dict(sorted(self.by_resolution.items())),
            "local_call_sites": self.local,
            "local_resolved": self.local_resolved,
            "local_resolution_rate": rate,
        }


def resolve_calls(
    resolver: Resolver,
    module: Module,
    callers: Iterable[tuple[Definition | None, Iterable[Call], frozenset[str]]],
    edges: EdgeSet,
    stats: CallStats,
) -> None:
    """Add the `calls` edges of one module's callers (None = the module's top level); each
    caller comes with the names it declares itself (scope.local_names, or empty)."""
    for caller, calls, shadowed in callers:
        src = caller.node if caller is not None else module.node
        for call in calls:
            outcome = resolver.call(module, caller, call, shadowed)
            stats.count(outcome)
            for target in outcome.targets:
                if target.node != src:  # recursion is no dependency: no self-loops
                    edges.add(src, "calls", target, call.line)


def shadow_candidates(resolver: Resolver, module: Module, calls: Iterable[Call]) -> set[str]:
    """The names among these calls' heads that a local declaration would explain: everything
    but `this`/`self` and the runtime's builtins (a local of a builtin's name is rare, and
    parsing for it would cost more than it tells)."""
    rules = rules_for(module.language)
    found = set()
    for call in calls:
        qualifier = _clean_qualifier(call.qualifier)
        head = (qualifier or call.name).split(".")[0]
        if head in rules.self_names or rules.is_super(head) or head in rules.builtins:
            continue
        if qualifier is not None and head not in module.bindings() and head not in module.top:
            continue  # `obj.m()` on a receiver nobody imports or defines: a local anyway, same outcome
        found.add(head)
    return found


def caller_scope(
    resolver: Resolver, module: Module, caller: Definition | None, calls: list[Call], source: str | None
) -> frozenset[str]:
    """The caller's local names that matter for its calls; parses only when one might shadow."""
    if caller is None or source is None or caller.kind not in FUNCTION_KINDS or not scope.supports(module.language):
        return frozenset()
    names = shadow_candidates(resolver, module, calls)
    if not names or not scope.might_shadow(source, names):
        return frozenset()
    return scope.local_names(source, module.language, caller.kind, caller.name) & names


def structure_edges(resolver: Resolver, edges: EdgeSet) -> None:
    """`contains`, `inherits`, `implements` and `imports` edges: everything that needs no call.

    A method that overrides a method of a base class `inherits` from it (resolution 'this'), so
    an override is tied to the method whose contract it follows."""
    table = resolver.table
    for definition in table.definitions.values():
        edges.add(resolver.container(definition), "contains", Target(definition.node, "structure"), None)
        if definition.kind == "method":
            for target in resolver.overridden(definition):
                edges.add(definition.node, "inherits", target, None)
        if definition.kind not in CLASS_KINDS:
            continue
        module = table.modules[definition.path]
        for target in resolver.class_bases(definition.node):
            edges.add(definition.node, "inherits", target, None)
        for text in definition.implements:
            for target in resolver.base_targets(module, definition, text):
                edges.add(definition.node, "implements", target, None)
    for module in table.modules.values():
        for target, line in resolver.import_targets(module):
            if target.node != module.node:
                edges.add(module.node, "imports", target, line)


NODE_KINDS = ("function", "method", "class", "interface")


def resolve_parsed(
    files: dict[str, ParsedFile],
    ts_configs: Iterable[TsConfig] = (),
    root_package: str | None = None,
    workspaces: dict[str, str] | None = None,
) -> tuple[SymbolTable, list[Edge], CallStats]:
    """Nodes and edges straight from parse output, without a database: the same rules
    build.py applies to stored rows (used by unit tests and for quick experiments).

    Node ids: modules first (in path order), then definitions; a split definition (part > 1)
    adds its calls to its part 1's node, and type/enum chunks' calls to the module node.
    """
    table = SymbolTable()
    next_id = 1
    for path in sorted(files):
        table.add_module(path, files[path].language, next_id, files[path].imports, files[path].exports)
        next_id += 1
    callers: dict[str, list[tuple[Definition | None, list[Call], str | None]]] = {}
    for path in sorted(files):
        parsed = files[path]
        own: list[tuple[Definition | None, list[Call], str | None]] = [(None, list(parsed.module_calls), None)]
        last: dict[tuple[str, str], Definition] = {}
        for chunk in parsed.chunks:
            if chunk.kind not in NODE_KINDS:
                own[0][1].extend(chunk.calls)
                continue
            key = (chunk.kind, chunk.qualified_name)
            if chunk.part > 1 and key in last:
                own.append((last[key], list(chunk.calls), chunk.source))
                continue
            definition = Definition(
                node=next_id, path=path, kind=chunk.kind, name=chunk.name,
                qualified_name=chunk.qualified_name, parent=chunk.parent, exported=chunk.exported,
                bases=tuple(chunk.bases), implements=tuple(chunk.implements),
            )
            next_id += 1
            table.add_definition(definition)
            last[key] = definition
            own.append((definition, list(chunk.calls), chunk.source))
        callers[path] = own
    table.finish()
    resolver = Resolver(table, ModuleResolver(files, ts_configs, root_package, workspaces))
    stats = CallStats()
    edges = EdgeSet()
    structure_edges(resolver, edges)
    for path in sorted(files):
        module = table.modules[path]
        scoped = [(c, calls, caller_scope(resolver, module, c, calls, src)) for c, calls, src in callers[path]]
        resolve_calls(resolver, module, scoped, edges, stats)
    return table, list(edges), stats
