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
  `obj.m()`                the receiver's type from the file's facts (graph/facts.py): declared
                           types of parameters, variables and fields, `new C()` / `C()`
                           assignments, return types of called functions (also for chains
                           `f().m()`), aliases, `instanceof`/`isinstance`, destructuring
                           (`const { x } = this`), elements of typed collections (`xs.find()`,
                           `xs.map((x) => x.m())`, `for (const x of xs)`), type-parameter bounds
                           (`<T extends C>`); then `m` in that class and its bases ('typed'). A
                           field of function type (`options.onError()`) goes to the definition
                           that declares it. An object literal (`const z = { ...ns, f }`, a
                           factory's `return { batch }`, a dict of functions `d["k"]()`) is
                           looked through to the entry's own definition.
                           Unknown type: never attached by name; a builtin-type method name
                           (`get`, `push`) is a builtin call, any other stays unresolved.
Ambiguity is never resolved silently: up to MAX_CANDIDATES candidates each get an edge marked
'ambiguous' with confidence 1/n, more give one edge without a target node.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from mnemo.graph import scope
from mnemo.graph.facts import (
    LocalFacts,
    Spans,
    TypeFacts,
    Value,
    element_type_names,
    function_type_parameter,
    member_signatures,
    type_names,
)
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
RESOLVED = ("scope", "import", "this", "qualified", "typed", "dispatch", "same_file", "unique_name", "ambiguous")
_MAX_TYPE_DEPTH = 10  # receiver → field → call result → … chains longer than this stay unknown
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
    start_line: int = 0
    end_line: int = 0
    signature_only: bool = False  # an interface member or abstract method: no chunk, no body
    nested: bool = False  # a function defined in a function's body: no chunk of its own (facts "n")

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
    # the nodes by name: read-only sequences (SymbolTable.add_definition fills them)
    top: dict[str, list[int] | tuple[int, ...]] = field(default_factory=dict)  # top-level definitions by name
    qualified: dict[str, list[int] | tuple[int, ...]] = field(default_factory=dict)  # all definitions by qualified name
    nodes: list[int] = field(default_factory=list)  # every definition of the file
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
    instantiates: bool = True  # False: a class target is where a called field is declared, no `new`

    @property
    def resolution(self) -> str:
        return self.targets[0].resolution


class SymbolTable:
    """The repository's definitions and modules: O(definitions + imports), no source text.

    Kept compact, since it is the one whole-repository structure of a build (on @babylonjs/core,
    27,000 definitions and 21,000 imports): each repeated text is one object (a definition's
    path is its module's, its kind, parent, name and bases and the imports' sources and names
    come from one pool while the table fills, dropped by `finish`), identical imported names
    are one `ImportedName`, and a name that stands for one node maps to a 1-tuple (a list only
    from the second node on). The node indexes are read-only sequences to everyone else.
    """

    def __init__(self) -> None:
        self.modules: dict[str, Module] = {}
        self.definitions: dict[int, Definition] = {}
        self.global_top: dict[str, list[int] | tuple[int, ...]] = {}
        self.global_methods: dict[str, list[int] | tuple[int, ...]] = {}
        self.members: dict[int, dict[str, int]] = {}  # class node → method name → node
        self._strings: dict[str, str] = {}  # text → its one object, while the table fills
        self._imported: dict[object, ImportedName] = {}  # (name, alias) → its one ImportedName

    def text(self, value: str | None) -> str | None:
        """The table's one object for a repeated text (names, kinds, import sources)."""
        if value is None:
            return None
        return self._strings.setdefault(value, value)

    def add_module(
        self, path: str, language: str, node: int, imports: Iterable[Import] = (), exports: Iterable[Export] = ()
    ) -> Module:
        text = self.text
        imports = list(imports)
        for imp in imports:  # the same values, shared: nothing in the graph mutates an import
            imp.source = text(imp.source)
            imp.names = [self._imported_name(n) for n in imp.names]
        exports = list(exports)
        for export in exports:
            export.name, export.local, export.source = text(export.name), text(export.local), text(export.source)
        module = Module(path=path, language=text(language), node=node, imports=imports, exports=exports)
        self.modules[path] = module
        return module

    def _imported_name(self, imported: ImportedName) -> ImportedName:
        key = imported.name if imported.alias is None else (imported.name, imported.alias)
        shared = self._imported.get(key)
        if shared is None:
            imported.name, imported.alias = self.text(imported.name), self.text(imported.alias)
            shared = self._imported[key] = imported
        return shared

    def add_definition(self, definition: Definition) -> None:
        module = self.modules[definition.path]
        text = self.text
        definition.path = module.path
        definition.kind = text(definition.kind)
        definition.name = text(definition.name)
        definition.qualified_name = (definition.name if definition.qualified_name == definition.name
                                     else definition.qualified_name)
        definition.parent = text(definition.parent)
        if definition.bases:
            definition.bases = tuple(text(b) for b in definition.bases)
        if definition.implements:
            definition.implements = tuple(text(i) for i in definition.implements)
        self.definitions[definition.node] = definition
        _index(module.qualified, definition.qualified_name, definition.node)
        module.nodes.append(definition.node)
        if definition.is_top_level:
            _index(module.top, definition.name, definition.node)
            _index(self.global_top, definition.name, definition.node)
        elif definition.kind == "method":
            _index(self.global_methods, definition.name, definition.node)

    def finish(self) -> None:
        """Attach methods to their classes once every definition is in; drop the pools."""
        self._strings = {}
        self._imported = {}
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


def _index(index: dict, key: str, node: int) -> None:
    """Add `node` under `key`: a 1-tuple for the first (most names stand for one node), then a
    list (appends stay O(1) for a name that many definitions share)."""
    nodes = index.get(key)
    if nodes is None:
        index[key] = (node,)
    elif type(nodes) is tuple:
        index[key] = [*nodes, node]
    else:
        nodes.append(node)


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

    def __init__(self, table: SymbolTable, modules: ModuleResolver, types: TypeFacts | None = None) -> None:
        self.table = table
        self.modules = modules
        self.types = types or TypeFacts()
        self._spans: dict[str, Spans] = {}
        self._type_cache: dict[tuple[str, str, int], tuple[int, ...]] = {}
        self._generic_cache: dict[int, dict[str, tuple[list[str], int]]] = {}
        self._implementors: dict[int, list[int]] | None = None
        self._members: dict[tuple[str, str], Symbol | None] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._bases: dict[int, tuple[Target, ...]] = {}
        self._nested: dict[str, list[Definition]] = {}

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
        self,
        module: Module,
        caller: Definition | None,
        call: Call,
        shadowed: frozenset[str] = frozenset(),
        local: LocalFacts | None = None,
        depth: int = 0,
    ) -> CallOutcome:
        """Resolve one call made in `caller` (None: at module top level) of `module`.

        `shadowed`: names the caller declares itself (parameters, variables, nested functions);
        a call to one of them, or on one of them, is local to the caller (see scope.py).
        `local`: the module's bindings (facts.LocalFacts), which type receivers: a call on a
        receiver of known type goes to that type's method ('typed')."""
        rules = rules_for(module.language)
        qualifier = _clean_qualifier(call.qualifier)
        head = (qualifier or call.name).split(".")[0]
        if qualifier is not None and qualifier not in rules.self_names and not rules.is_super(qualifier):
            classes = self.receiver_classes(module, caller, qualifier, local, depth)
            if classes:
                outcome = self._method_on(classes, call.name, f"{qualifier}.{call.name}")
                extra = self._object_members(module, caller, qualifier, call.name, outcome)
                if extra:
                    outcome = CallOutcome(outcome.targets + extra, True, outcome.instantiates)
                return self._with_constructors(outcome, rules)
            if depth < _MAX_TYPE_DEPTH:
                through = self._object_call(module, caller, qualifier, call, local, depth)
                if through is not None:
                    return through
            if qualifier.endswith("()"):
                return CallOutcome((Target(None, "unresolved", target=f"{qualifier}.{call.name}"),), False)
        elif qualifier is None and local is not None and depth < _MAX_TYPE_DEPTH:
            aliased = self._alias_call(module, caller, call, local, depth)
            if aliased is not None:
                return aliased
        if head in shadowed and (qualifier is None or qualifier not in rules.self_names):
            if qualifier is None:
                nested = self._in_scope(module, caller, call.name)  # a nested function is a node
                if nested:
                    return self._with_constructors(self._from_symbol(Symbol(nodes=nested), "scope", call.name), rules)
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

    # -- receiver types --------------------------------------------------------------------

    def spans(self, module: Module) -> Spans:
        found = self._spans.get(module.path)
        if found is None:
            defs = self.table.definitions
            found = Spans(
                (defs[n].start_line, defs[n].end_line, n, defs[n].kind) for n in module.nodes if not defs[n].signature_only
            )
            self._spans[module.path] = found
        return found

    def scope_chain(self, module: Module, caller: Definition | None) -> list[int]:
        """The scopes a name is looked up in from `caller`: it, its enclosing definitions, the module."""
        if caller is None:
            return [0]
        chain = self.spans(module).enclosing(caller.start_line) if caller.start_line else []
        if caller.node not in chain:
            chain.insert(0, caller.node)
        return [*chain, 0]

    def receiver_classes(
        self, module: Module, caller: Definition | None, chain: str, local: LocalFacts | None, depth: int = 0
    ) -> tuple[int, ...]:
        """The classes/interfaces a receiver (`x`, `this.a.b`, `self.x`, `f()`) may be, from the
        facts; empty when unknown (then the call resolves by syntax alone)."""
        if depth >= _MAX_TYPE_DEPTH:
            return ()
        rules = rules_for(module.language)
        if chain.endswith("()"):
            return self.call_types(module, caller, chain[:-2], local, depth + 1)
        if "()." in chain:  # fields of a call's result: f().a.b
            cut = chain.rfind("().") + 2
            current = self.receiver_classes(module, caller, chain[:cut], local, depth + 1)
            for part in chain[cut + 1 :].split("."):
                current = self.field_types(current, part, depth + 1) if current else ()
            return current
        head, *rest = chain.split(".")
        if head in rules.self_names:
            owner = self.enclosing_class(module, caller)
            if owner is None or not rest:
                return ()
            current: tuple[int, ...] = (owner,)
        elif rules.is_super(head):
            return ()
        else:
            values = local.lookup(self.scope_chain(module, caller), head) if local is not None else []
            if values:
                current = self.value_types(module, values, local, depth + 1)
            else:
                current = self._imported_value_types(module, head, depth + 1)
        for part in rest:
            if not current:
                return ()
            current = self.field_types(current, part, depth + 1)
        return current

    def value_types(
        self, module: Module, values: list[Value], local: LocalFacts | None, depth: int
    ) -> tuple[int, ...]:
        """The classes the values of one binding may be (declared types, constructors, call results)."""
        found: list[int] = []
        for how, text, scope_node in values:
            scope_def = self.table.definitions.get(scope_node) if scope_node else None
            if how == "t":
                classes = self.type_classes(module, text, scope_node)
            elif how == "o":
                continue  # an object literal: its members are read by _object_call
            elif how == "e":
                classes = self.element_classes(module, scope_def, text, local, depth + 1)
            elif how == "n":
                classes = self._class_symbol(module, scope_def, text)
            elif how == "c":
                classes = self.call_types(module, scope_def, text, local, depth + 1)
            elif how == "p":
                classes = self.callback_parameter_types(module, scope_def, text, local, depth + 1)
            else:
                classes = self.receiver_classes(module, scope_def, text, local, depth + 1)
            found.extend(c for c in classes if c not in found)
        return tuple(found)

    def type_classes(self, module: Module, text: str, scope: int = 0, depth: int = 0) -> tuple[int, ...]:
        """Class/interface nodes a type expression names, resolved in `module` (cached). `scope`:
        the definition the text is written in; a type parameter of it or of a definition around
        it (`<T extends C>`) stands for its constraint (else its default)."""
        generics = self.generics_in_scope(module, scope) if scope else {}
        names = type_names(text, rules_for(module.language))
        scoped = any(name in generics for name in names)
        key = (module.path, text, scope if scoped else 0)
        cached = self._type_cache.get(key)
        if cached is None:
            found: list[int] = []
            for name in names:
                if name in generics:
                    bounds, owner = generics[name]
                    for bound in bounds if depth < _MAX_TYPE_DEPTH else ():
                        # the constraint, else the default (a constraint may be an object type)
                        classes = self.type_classes(module, bound, owner, depth + 1)
                        if classes:
                            found.extend(n for n in classes if n not in found)
                            break
                    continue
                found.extend(n for n in self._class_symbol(module, None, name) if n not in found)
            cached = self._type_cache[key] = tuple(found)
        return cached

    def generics_in_scope(self, module: Module, scope: int) -> dict[str, tuple[list[str], int]]:
        """Type parameter → (its bounds: constraint, default; the definition declaring it)
        visible in a definition, innermost declaration first."""
        cached = self._generic_cache.get(scope)
        if cached is None:
            cached = {}
            definition = self.table.definitions.get(scope)
            if definition is not None and self.types.generics:
                chain = self.spans(module).enclosing(definition.start_line) if definition.start_line else []
                if scope not in chain:
                    chain.insert(0, scope)
                for node in chain:
                    for name, bounds in self.types.generics.get(node, {}).items():
                        cached.setdefault(name, (bounds, node))
            self._generic_cache[scope] = cached
        return cached

    def element_classes(
        self, module: Module, caller: Definition | None, chain: str, local: LocalFacts | None, depth: int
    ) -> tuple[int, ...]:
        """The classes the elements of a collection (`this.observers`, `cache.findAll()`,
        `xs.filter()`) may be, from its declared or returned type (`Query[]`, `Array<Query>`)."""
        if depth >= _MAX_TYPE_DEPTH:
            return ()
        rules = rules_for(module.language)
        if not rules.collection_types:
            return ()
        if chain.endswith("()"):
            callee = chain[:-2]
            qualifier, _, name = callee.rpartition(".")
            if qualifier and name in rules.same_collection_methods:
                found = self.element_classes(module, caller, qualifier, local, depth + 1)
                if found:
                    return found
            outcome = self.call(module, caller, Call(name, qualifier or None, 0), frozenset(), local, depth + 1)
            result: list[int] = []
            for target in outcome.targets:
                if target.node is None or target.confidence < 1 or target.node not in self.types.returns:
                    continue
                definition = self.table.definitions[target.node]
                result.extend(c for c in self._element_type_classes(
                    self.table.modules[definition.path], self.types.returns[target.node], target.node) if c not in result)
            return tuple(result)
        if "()." in chain:
            cut = chain.rfind("().") + 2
            owners = self.receiver_classes(module, caller, chain[:cut], local, depth + 1)
            parts = chain[cut + 1 :].split(".")
        else:
            head, *parts = chain.split(".")
            if not parts:
                values = local.lookup(self.scope_chain(module, caller), head) if local is not None else []
                return self._values_elements(module, values, local, depth + 1)
            if head in rules.self_names:
                owner = self.enclosing_class(module, caller)
                owners = (owner,) if owner is not None else ()
            else:
                owners = self.receiver_classes(module, caller, head, local, depth + 1)
        for part in parts[:-1]:
            owners = self.field_types(owners, part, depth + 1) if owners else ()
        found: list[int] = []
        for cls in owners:
            for owner, values, getter in self._field_values(cls, parts[-1]):
                owner_module = self.table.modules[self.table.definitions[owner].path]
                found.extend(c for c in self._values_elements(owner_module, values, None, depth + 1) if c not in found)
                if getter is not None and getter in self.types.returns:
                    found.extend(c for c in self._element_type_classes(owner_module, self.types.returns[getter], getter)
                                 if c not in found)
        return tuple(found)

    def _element_type_classes(self, module: Module, text: str, scope: int) -> tuple[int, ...]:
        found: list[int] = []
        for name in element_type_names(text, rules_for(module.language)):
            found.extend(c for c in self.type_classes(module, name, scope) if c not in found)
        return tuple(found)

    def _values_elements(
        self, module: Module, values: list[Value], local: LocalFacts | None, depth: int
    ) -> tuple[int, ...]:
        found: list[int] = []
        for how, text, scope_node in values:
            scope_def = self.table.definitions.get(scope_node) if scope_node else None
            if how == "t":
                classes = self._element_type_classes(module, text, scope_node)
            elif how == "c":
                classes = self.element_classes(module, scope_def, f"{text}()", local, depth + 1)
            elif how == "a":
                classes = self.element_classes(module, scope_def, text, local, depth + 1)
            else:
                continue
            found.extend(c for c in classes if c not in found)
        return tuple(found)

    def _object_members(
        self, module: Module, caller: Definition | None, qualifier: str, name: str, outcome: CallOutcome
    ) -> tuple[Target, ...]:
        """`provider.setTimeout()` on `const provider: Provider = { setTimeout() {…} }`: the
        declared type gives the typed target (the interface), the object literal's own method is
        the code that runs; it is added as a 'dispatch' edge, as an implementation of it."""
        if "(" in qualifier:
            return ()
        symbol, _ = self.qualifier_symbol(module, caller, qualifier)
        if symbol is None or not symbol.nodes:
            return ()
        taken = {t.node for t in outcome.targets}
        found = []
        for node in symbol.nodes:
            if self.table.kind(node) != "class":
                continue
            member = self.table.members.get(node, {}).get(name)
            if member is not None and member not in taken:
                taken.add(member)
                found.append(Target(member, "dispatch", 0.5))
        return tuple(found)

    def field_holders(self, classes: tuple[int, ...], name: str) -> list[int]:
        """`x.f()` where f is no method but a field with a declared (function) type: the
        definition that declares the field (the interface or class, or the constructor of a
        parameter property), which is where the called function's contract is written."""
        found: list[int] = []
        for cls in classes:
            if rules_for(self.table.modules[self.table.definitions[cls].path].language).family != "ecmascript":
                continue  # Python: an attribute holding a callable is read at run time (jedi agrees)
            for _, values, _ in self._field_values(cls, name):
                for how, _, scope_node in values:
                    if how == "t" and scope_node and scope_node not in found:
                        found.append(scope_node)
                        break
        return found

    def _field_values(self, cls: int, name: str) -> list[tuple[int, list[Value], int | None]]:
        """(class, values, getter) of field `name`, in the class or its nearest base that has it."""
        queue, seen, index = [cls], {cls}, 0
        while index < len(queue) and index < _MAX_DEPTH:
            current = queue[index]
            index += 1
            values = self.types.fields.get(current, {}).get(name)
            getter = self.table.members.get(current, {}).get(name)
            if values or getter is not None:
                return [(current, values or [], getter)]
            for base in self.class_bases(current):
                if base.node is not None and base.node not in seen:
                    seen.add(base.node)
                    queue.append(base.node)
        return []

    def _object_call(
        self, module: Module, caller: Definition | None, qualifier: str, call: Call, local: LocalFacts | None,
        depth: int,
    ) -> CallOutcome | None:
        """`z.string()` with `const z = { ...schemas, iso }`, `manager.batch()` with
        `manager = createManager()` and `return { batch }` in createManager: the member of the
        object literal, resolved where the literal is written; an inline function or a local of
        the returning function gives an edge to the definition that holds it."""
        if qualifier.endswith("()") and "." not in qualifier:
            objects = self._returned_objects(module, caller, qualifier[:-2], local, depth + 1)
            tail = [call.name]
        else:
            head, *parts = qualifier.split(".")
            if not head.lstrip("$").isidentifier():
                return None
            objects = self._bound_objects(module, caller, head, local, depth + 1)
            tail = [*parts, call.name]
        member, after = tail[0], tail[1:]

        def through(owner: Module, scope_def: Definition | None, chain: list[str]) -> CallOutcome | None:
            outcome = self.call(owner, scope_def, Call(chain[-1], ".".join(chain[:-1]) or None, call.line),
                                frozenset(), local if owner is module else None, depth + 1)
            return outcome if any(t.node is not None and t.confidence >= 1 for t in outcome.targets) else None

        for owner_module, scope_def, holder, entries in objects:
            for key, value in entries:
                if key != member:
                    continue
                if not value:  # an inline function: the definition holding the literal
                    if not after and holder is not None:
                        return CallOutcome((Target(holder, "typed"),), True)
                    continue
                found = through(owner_module, scope_def, [*value.split("."), *after])
                if found is not None:
                    return found
                if not after and "." not in value and holder is not None and self.table.kind(holder) in FUNCTION_KINDS:
                    return CallOutcome((Target(holder, "typed"),), True)  # a local of the returning function
            for key, spread in entries:
                if key == "...":
                    found = through(owner_module, scope_def, [*spread.split("."), *tail])
                    if found is not None:
                        return found
        return None

    def _bound_objects(
        self, module: Module, caller: Definition | None, name: str, local: LocalFacts | None, depth: int
    ) -> list[tuple[Module, Definition | None, int | None, list[tuple[str, str]]]]:
        """The object literals a name may hold: (module, scope to resolve entries in, the node
        holding the literal, its entries)."""
        if depth >= _MAX_TYPE_DEPTH:
            return []
        values = local.lookup(self.scope_chain(module, caller), name) if local is not None else []
        owner_module = module
        if not values:
            binding = module.bindings().get(name)
            if binding is None:
                return []
            imp, imported = binding
            if imported.name in ("*", "default"):
                return []
            ref = self.module_ref(module, imp.source)
            if ref.path is None or ref.path not in self.table.modules:
                return []
            values = self.types.module_vars.get(ref.path, {}).get(imported.name) or []
            owner_module = self.table.modules[ref.path]
            local = None
        found = []
        literal: list[tuple[str, str]] = []
        literal_scope = None
        for how, text, scope_node in values:
            scope_def = self.table.definitions.get(scope_node) if scope_node else None
            if how == "o":
                key, _, value = text.partition("=")
                literal.append((key, value))
                literal_scope = scope_def
            elif how == "c":
                found.extend(self._returned_objects(owner_module, scope_def, text, local, depth + 1))
            elif how == "a" and "." not in text and text != name:
                found.extend(self._bound_objects(owner_module, scope_def, text, local, depth + 1))
        if literal:
            holder = literal_scope.node if literal_scope is not None else None
            found.insert(0, (owner_module, literal_scope, holder, literal))
        return found

    def _returned_objects(
        self, module: Module, caller: Definition | None, callee: str, local: LocalFacts | None, depth: int
    ) -> list[tuple[Module, Definition | None, int | None, list[tuple[str, str]]]]:
        """The object literals the functions a call resolves to return."""
        if depth >= _MAX_TYPE_DEPTH or not self.types.returned:
            return []
        qualifier, _, name = callee.rpartition(".")
        outcome = self.call(module, caller, Call(name, qualifier or None, 0), frozenset(), local, depth + 1)
        found = []
        for target in outcome.targets:
            if target.node is None or target.confidence < 1:
                continue
            entries = self.types.returned.get(target.node)
            if entries:
                definition = self.table.definitions[target.node]
                found.append((self.table.modules[definition.path], definition, target.node,
                              [tuple(e.partition("=")[::2]) for e in entries]))
        return found

    def _class_symbol(self, module: Module, scope: Definition | None, name: str) -> tuple[int, ...]:
        if "." in name:
            symbol, _ = self.qualifier_symbol(module, scope, name)
        else:
            symbol, _ = self.name_symbol(module, scope, name)
        if symbol is None:
            return ()
        return tuple(n for n in symbol.nodes if self.table.kind(n) in CLASS_KINDS)

    def call_types(
        self, module: Module, caller: Definition | None, callee: str, local: LocalFacts | None, depth: int
    ) -> tuple[int, ...]:
        """What calling `callee` returns: an instance of the class it constructs, or the declared
        return type of the function or method it calls."""
        if depth >= _MAX_TYPE_DEPTH:
            return ()
        rules = rules_for(module.language)
        qualifier, _, name = callee.rpartition(".")
        if qualifier and name in rules.element_methods:  # xs.find(…), xs.pop(): an element
            elements = self.element_classes(module, caller, qualifier, local, depth + 1)
            if elements:
                return elements
        outcome = self.call(module, caller, Call(name, qualifier or None, 0), frozenset(), local, depth + 1)
        found: list[int] = []
        for target in outcome.targets:
            if target.node is None or target.confidence < 1:
                continue
            definition = self.table.definitions[target.node]
            if definition.kind in CLASS_KINDS:
                classes: tuple[int, ...] = (definition.node,)
            elif definition.name == rules.constructor:
                continue
            else:
                returns = self.types.returns.get(definition.node)
                classes = self.type_classes(self.table.modules[definition.path], returns, definition.node) if returns else ()
                if not classes and returns and returns.strip() == "this" and definition.parent:
                    owner = self.table.class_named(self.table.modules[definition.path], definition.parent)
                    classes = (owner,) if owner is not None else ()
            found.extend(c for c in classes if c not in found)
        return tuple(found)

    def callback_parameter_types(
        self, module: Module, caller: Definition | None, slot: str, local: LocalFacts | None, depth: int
    ) -> tuple[int, ...]:
        """An untyped callback parameter ("callee|argument|parameter"): the type the callee
        declares for that parameter of that argument (`operate((source, subscriber) => …)`)."""
        callee, argument, parameter, declared = (slot.split("|", 3) + ["", "", ""])[:4]
        if depth >= _MAX_TYPE_DEPTH or not argument.isdigit() or not parameter.isdigit():
            return ()
        rules = rules_for(module.language)
        qualifier, _, name = callee.rpartition(".")
        element_slot = (argument == "0" and ((name in rules.iteration_methods and parameter == "0")
                                              or (name in rules.accumulator_methods and parameter == "1")))
        if qualifier and element_slot:  # xs.map((x) => …): x is an element of xs
            elements = self.element_classes(module, caller, qualifier, local, depth + 1)
            if elements:
                return elements
        outcome = self.call(module, caller, Call(name, qualifier or None, 0), frozenset(), local, depth + 1)
        found: list[int] = []
        for target in outcome.targets:
            if target.node is None or target.confidence < 1:
                continue
            node = target.node
            if self.table.kind(node) in CLASS_KINDS and rules.constructor:
                node, _ = self.find_method([node], rules.constructor)
                if node is None:
                    continue
            signature = self.types.params.get(node, {}).get(int(argument))
            kind = function_type_parameter(signature, int(parameter)) if signature else None
            if kind:
                definition = self.table.definitions[node]
                classes = self._instantiated(module, caller, node, kind, declared, depth + 1) if declared else ()
                if not classes:
                    classes = self.type_classes(self.table.modules[definition.path], kind, node)
                found.extend(c for c in classes if c not in found)
        return tuple(found)

    def _instantiated(
        self, module: Module, caller: Definition | None, callee: int, kind: str, declared: str, depth: int
    ) -> tuple[int, ...]:
        """A callback parameter typed by a type parameter of the callee, instantiated from the
        declared type of the variable the call initializes: `const A: Ctor<Arr> = make((inst,
        def) => …)` with `make<T, D = T["_zod"]["def"]>(init: (inst: T, def: D) => void): Ctor<T, D>`
        gives inst an Arr and def the type of Arr's `_zod.def`."""
        returns = self.types.returns.get(callee)
        if not returns or depth >= _MAX_TYPE_DEPTH:
            return ()
        callee_module = self.table.modules[self.table.definitions[callee].path]
        generics = self.generics_in_scope(callee_module, callee)
        formal_head, formal_args = _generic_parts(returns)
        actual_head, actual_args = _generic_parts(declared)
        if not formal_head or formal_head.split(".")[-1] != actual_head.split(".")[-1]:
            return ()
        # the return type's arguments that are plain names are the callee's type parameters
        bound = {f: a for f, a in zip(formal_args, actual_args) if f.lstrip("$").isidentifier()}
        name = kind.strip()
        if name in bound:
            return self.type_classes(module, bound[name], caller.node if caller else 0, depth + 1)
        if name not in generics:
            return ()
        for text in generics[name][0]:  # a default written in terms of the bound ones: T["_zod"]["def"]
            base, keys = _indexed_access(text)
            if base in bound and keys:
                current = self.type_classes(module, bound[base], caller.node if caller else 0, depth + 1)
                for key in keys:
                    current = self.field_types(current, key, depth + 1) if current else ()
                if current:
                    return current
        return ()

    def field_types(self, classes: tuple[int, ...], name: str, depth: int) -> tuple[int, ...]:
        """The classes field (or getter) `name` of these classes may hold, through their bases."""
        found: list[int] = []
        for cls in classes:
            queue, seen, index = [cls], {cls}, 0
            while index < len(queue) and index < _MAX_DEPTH:
                current = queue[index]
                index += 1
                definition = self.table.definitions[current]
                owner_module = self.table.modules[definition.path]
                values = self.types.fields.get(current, {}).get(name)
                getter = self.table.members.get(current, {}).get(name)
                if values or getter is not None:
                    if values:
                        found.extend(c for c in self.value_types(owner_module, values, None, depth + 1) if c not in found)
                    if getter is not None and getter in self.types.returns:
                        found.extend(c for c in self.type_classes(owner_module, self.types.returns[getter], getter)
                                     if c not in found)
                    break
                for base in self.class_bases(current):
                    if base.node is not None and base.node not in seen:
                        seen.add(base.node)
                        queue.append(base.node)
        return tuple(found)

    def _imported_value_types(self, module: Module, name: str, depth: int) -> tuple[int, ...]:
        """A module-level binding of another module, imported by name (`import { scheduler }`)."""
        binding = module.bindings().get(name)
        if binding is None:
            return ()
        imp, imported = binding
        if imported.name in ("*", "default"):
            return ()
        ref = self.module_ref(module, imp.source)
        if ref.path is None or ref.path not in self.table.modules:
            return ()
        values = self.types.module_vars.get(ref.path, {}).get(imported.name)
        if not values:
            return ()
        return self.value_types(self.table.modules[ref.path], values, None, depth + 1)

    def _method_on(self, classes: tuple[int, ...], name: str, text: str) -> CallOutcome:
        """`x.m()` with x's classes known: their method `m` (own or inherited)."""
        targets: list[Target] = []
        outside = None
        for cls in classes:
            node, external = self.find_method([cls], name)
            if node is not None:
                if all(t.node != node for t in targets):
                    targets.append(Target(node, "typed"))
            else:
                outside = outside or external
        for target in list(targets):
            if self.table.definitions[target.node].signature_only:
                targets.extend(t for t in self.dispatch_targets(target.node) if all(t.node != x.node for x in targets))
        if not targets:
            holders = self.field_holders(classes, name)
            if holders:
                return CallOutcome(tuple(Target(n, "typed") for n in holders), True, instantiates=False)
        if targets:
            return CallOutcome(tuple(targets), True)
        if outside:
            return CallOutcome((Target(None, "external", target=f"{outside}.{name}"),), False)
        return CallOutcome((Target(None, "unresolved", target=text),), True)

    def implementors(self, node: int) -> list[int]:
        """Classes that extend or implement a class/interface, directly or not (breadth first)."""
        if self._implementors is None:
            index: dict[int, list[int]] = {}
            for definition in self.table.definitions.values():
                if definition.kind not in CLASS_KINDS:
                    continue
                module = self.table.modules[definition.path]
                parents = [t.node for t in self.class_bases(definition.node)]
                for text in definition.implements:
                    parents.extend(t.node for t in self.base_targets(module, definition, text))
                for parent in parents:
                    if parent is not None and parent != definition.node:
                        index.setdefault(parent, []).append(definition.node)
            self._implementors = index
        queue, seen = [node], {node}
        index_ = 0
        while index_ < len(queue) and index_ < 256:
            for child in self._implementors.get(queue[index_], ()):
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
            index_ += 1
        return queue[1:]

    def dispatch_targets(self, member: int) -> list[Target]:
        """A call through an interface member or abstract method may run any implementation:
        one lower-confidence 'dispatch' edge to each (confidence 1/n, at most 1/2)."""
        definition = self.table.definitions[member]
        owner = self.table.class_named(self.table.modules[definition.path], definition.parent or "")
        if owner is None:
            return []
        found = []
        for cls in self.implementors(owner):
            method = self.table.members.get(cls, {}).get(definition.name)
            if method is not None and method != member and not self.table.definitions[method].signature_only:
                if method not in found:
                    found.append(method)
        if not found or len(found) > MAX_CANDIDATES * 4:
            return []
        share = min(0.5, 1.0 / len(found))
        return [Target(n, "dispatch", share) for n in found]

    def implemented(self, method: Definition) -> list[Target]:
        """The interface members (and abstract methods) a class's method implements."""
        if method.parent is None or method.signature_only:
            return []
        module = self.table.modules[method.path]
        owner = self.table.class_named(module, method.parent)
        if owner is None:
            return []
        owner_def = self.table.definitions[owner]
        found = []
        interfaces = [t.node for text in owner_def.implements for t in self.base_targets(module, owner_def, text)]
        interfaces += [t.node for t in self.class_bases(owner)]
        for iface in interfaces:
            if iface is None:
                continue
            node, _ = self.find_method([iface], method.name)
            if node is not None and node != method.node and self.table.definitions[node].signature_only:
                found.append(Target(node, "this"))
        return found

    def nested_within(self, module: Module, caller: Definition | None) -> list[Definition]:
        """The nested functions inside a caller's lines, innermost (shortest) first."""
        if caller is None or caller.nested:
            return []
        found = self._nested.get(module.path)
        if found is None:
            defs = self.table.definitions
            found = self._nested[module.path] = sorted(
                (defs[n] for n in module.nodes if defs[n].nested), key=lambda d: d.end_line - d.start_line)
        return [d for d in found if caller.start_line <= d.start_line and d.end_line <= caller.end_line]

    def add_member_signatures(self, module: Module, records: Iterable[list], take_id) -> list[Definition]:
        """Nodes for the interface members and abstract methods a module's facts name (before
        `SymbolTable.finish`): `take_id()` gives each its node id."""
        return member_definitions(self.table, module, records, take_id)

    def file_facts(self, module: Module, records: Iterable[list]) -> None:
        """File one module's stored facts into the repository-wide TypeFacts (first pass)."""
        self.types.add_file(module.path, records, self.spans(module))

    def local_facts(self, module: Module, records: Iterable[list]) -> LocalFacts | None:
        """One module's bindings by scope, for resolving its calls (second pass)."""
        records = list(records or ())
        if not records:
            return None
        return TypeFacts().add_file(module.path, records, self.spans(module))

    def _alias_call(
        self, module: Module, caller: Definition | None, call: Call, local: LocalFacts, depth: int
    ) -> CallOutcome | None:
        """`g = f; g()` calls f (flow-insensitive: any alias binding of g in scope counts)."""
        values = local.lookup(self.scope_chain(module, caller), call.name)
        aliases = [text for how, text, _ in values if how == "a" and text != call.name]
        if not aliases or len(aliases) != len(values):
            return None
        qualifier, _, name = aliases[0].rpartition(".")
        outcome = self.call(module, caller, Call(name, qualifier or None, call.line), frozenset(), local, depth + 1)
        return outcome if any(t.node is not None for t in outcome.targets) else None

    def _with_constructors(self, outcome: CallOutcome, rules: LanguageRules) -> CallOutcome:
        """Instantiating a class (`new C()`, `C()`) also runs its constructor: both are targets."""
        if rules.constructor is None or not outcome.instantiates or not any(
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
            targets = [Target(node, "this")]
            if self.table.definitions[node].signature_only:  # this.m() on an abstract method
                targets.extend(self.dispatch_targets(node))
            return CallOutcome(tuple(targets), True)
        holders = self.field_holders(tuple(starts), name) if not outside else []
        if holders:
            return CallOutcome(tuple(Target(n, "this") for n in holders), True, instantiates=False)
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
        """`obj.m()` with obj's type unknown (no declared type, constructor or return type in the
        facts): never attached to a repository method by its name alone. A name that the
        runtime's own types carry (`get`, `push`, `items`) is a builtin call; any other is left
        unresolved, marked local when the repository defines a method of that name (`graph
        stats` counts those). Name guesses ('unique_name') are made only for plain calls."""
        if name in rules.builtin_methods:
            return CallOutcome((Target(None, "builtin", target=text),), False)
        return CallOutcome((Target(None, "unresolved", target=text),), name in self.table.global_methods)

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


def member_definitions(table: SymbolTable, module: Module, records: Iterable[list], take_id) -> list[Definition]:
    """Definitions (signature_only) for the member signatures among a module's fact records."""
    defs = table.definitions
    spans = Spans(
        (defs[n].start_line, defs[n].end_line, n, defs[n].kind) for n in module.nodes if not defs[n].signature_only
    )
    added = []
    for owner, name, first, last in member_signatures(records, spans):
        cls = defs[owner]
        qualified = f"{cls.qualified_name}.{name}"
        if module.qualified.get(qualified):
            continue  # a real definition (a chunk) already stands for it
        definition = Definition(
            node=take_id(), path=module.path, kind="method", name=name, qualified_name=qualified,
            parent=cls.qualified_name, exported=cls.exported, start_line=first, end_line=last, signature_only=True,
        )
        table.add_definition(definition)
        added.append(definition)
    return added


def nested_definitions(table: SymbolTable, module: Module, records: Iterable[list], take_id) -> list[Definition]:
    """Definitions for the functions nested in a function's body (facts' "n" records), named
    `outer.inner` (`outer.inner.deeper` when nested twice). Their calls and locals are taken
    from the enclosing chunk by line (see `Resolver.nested_within`)."""
    defs = table.definitions
    spans = Spans(
        (defs[n].start_line, defs[n].end_line, n, defs[n].kind) for n in module.nodes
        if not defs[n].signature_only and not defs[n].nested
    )
    found = []
    for record in records or ():
        if isinstance(record, list) and len(record) == 5 and record[0] == "n" and str(record[3]).isdigit():
            found.append((int(record[4]), int(record[3]), str(record[1])))
    added: list[Definition] = []
    for start, end, name in sorted(found, key=lambda f: (f[0], -f[1])):
        outer = next((d for d in reversed(added) if d.start_line <= start and end <= d.end_line), None)
        if outer is None:
            owner = spans.innermost(start)
            if owner is None or owner[1] not in FUNCTION_KINDS or defs[owner[0]].start_line == start:
                continue  # top level, a class body, or the chunk's own definition
            outer = defs[owner[0]]
        qualified = f"{outer.qualified_name}.{name}"
        if module.qualified.get(qualified):
            continue
        definition = Definition(node=take_id(), path=module.path, kind="function", name=name, qualified_name=qualified,
                                start_line=start, end_line=end, nested=True)
        table.add_definition(definition)
        added.append(definition)
    return added


def _generic_parts(text: str) -> tuple[str, list[str]]:
    """`ns.Ctor<A, B<C>>` → ("ns.Ctor", ["A", "B<C>"])."""
    text = text.strip()
    head, _, rest = text.partition("<")
    if not rest.endswith(">"):
        return head.strip(), []
    depth, current, parts = 0, [], []
    for ch in rest[:-1]:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}" :
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return head.strip(), [p for p in parts if p]


def _indexed_access(text: str) -> tuple[str, list[str]]:
    """`T["_zod"]["def"]` → ("T", ["_zod", "def"]); anything else → (text, [])."""
    match = re.fullmatch(r"\s*([\w$]+)((?:\[\s*[\"'][\w$]+[\"']\s*\])+)\s*", text)
    if not match:
        return text.strip(), []
    return match.group(1), re.findall(r"[\"']([\w$]+)[\"']", match.group(2))


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
    local: LocalFacts | None = None,
) -> None:
    """Add the `calls` edges of one module's callers (None = the module's top level); each
    caller comes with the names it declares itself (scope.local_names, or empty). `local`: the
    module's bindings from its stored facts (resolver.local_facts), None when it has none.

    This is the unit that resolves the edges out of one file given the stored facts and the
    repository's symbol table and TypeFacts (an incremental update calls it per changed file)."""
    for caller, calls, shadowed in callers:
        nested = resolver.nested_within(module, caller)
        for call in calls:
            where = caller
            if nested:  # a call inside a nested function is that function's
                where = next((d for d in nested if d.start_line <= call.line <= d.end_line), caller)
            src = where.node if where is not None else module.node
            outcome = resolver.call(module, where, call, shadowed, local)
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


def structure_edges(
    resolver: Resolver,
    edges: EdgeSet,
    flush: Callable[[EdgeSet], None] | None = None,
    batch: int = 2000,
    *,
    modules: Iterable[Module] | None = None,
) -> None:
    """`contains`, `inherits`, `implements` and `imports` edges: everything that needs no call.

    A method that overrides a method of a base class `inherits` from it (resolution 'this'), so
    an override is tied to the method whose contract it follows. Every such edge starts in the
    file of the definition it is made for; `modules`: only the edges out of these files (an
    incremental update's affected files).

    With `flush`, the set is handed over (and expected emptied) whenever it holds `batch` edges,
    between two definitions or two modules: an edge's key (src, dst, type) has this definition
    as its src or, for `contains`, as its dst, and an import's src is its module, so no later
    step adds to an edge already flushed, and memory stays O(batch), not O(edges)."""
    table = resolver.table
    modules = list(modules) if modules is not None else None
    chosen = (table.definitions[n] for m in modules for n in m.nodes) if modules is not None \
        else table.definitions.values()
    for definition in chosen:
        if flush is not None and len(edges) >= batch:
            flush(edges)
        edges.add(resolver.container(definition), "contains", Target(definition.node, "structure"), None)
        if definition.kind == "method":
            for target in resolver.overridden(definition):
                if not table.definitions[target.node].signature_only:
                    edges.add(definition.node, "inherits", target, None)
            for target in resolver.implemented(definition):
                edges.add(definition.node, "implements", target, None)
        if definition.kind not in CLASS_KINDS:
            continue
        module = table.modules[definition.path]
        for target in resolver.class_bases(definition.node):
            edges.add(definition.node, "inherits", target, None)
        for text in definition.implements:
            for target in resolver.base_targets(module, definition, text):
                edges.add(definition.node, "implements", target, None)
    for module in modules if modules is not None else table.modules.values():
        if flush is not None and len(edges) >= batch:
            flush(edges)
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
    counter = [0]

    def _next() -> int:
        counter[0] += 1
        return 10_000_000 + counter[0]  # member signature nodes: after every chunk's node
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
                last[key].end_line = max(last[key].end_line, chunk.end_line)
                own.append((last[key], list(chunk.calls), chunk.source))
                continue
            definition = Definition(
                node=next_id, path=path, kind=chunk.kind, name=chunk.name,
                qualified_name=chunk.qualified_name, parent=chunk.parent, exported=chunk.exported,
                bases=tuple(chunk.bases), implements=tuple(chunk.implements),
                start_line=chunk.start_line, end_line=chunk.end_line,
            )
            next_id += 1
            table.add_definition(definition)
            last[key] = definition
            own.append((definition, list(chunk.calls), chunk.source))
        callers[path] = own
    for path in sorted(files):
        for _ in member_definitions(table, table.modules[path], files[path].facts, lambda: _next()):
            pass
        for _ in nested_definitions(table, table.modules[path], files[path].facts, lambda: _next()):
            pass
    table.finish()
    resolver = Resolver(table, ModuleResolver(files, ts_configs, root_package, workspaces))
    for path in sorted(files):
        resolver.file_facts(table.modules[path], files[path].facts)
    stats = CallStats()
    edges = EdgeSet()
    structure_edges(resolver, edges)
    for path in sorted(files):
        module = table.modules[path]
        scoped = [(c, calls, caller_scope(resolver, module, c, calls, src)) for c, calls, src in callers[path]]
        resolve_calls(resolver, module, scoped, edges, stats, resolver.local_facts(module, files[path].facts))
    return table, list(edges), stats
