"""What a file shows the rest of the repository, as digests by name: the incremental graph
update compares a changed file's digests before and after the edit to learn which names other
files must re-resolve (graph/incremental.py).

Another file's edges depend on a file only through what the resolver keeps of it: its
definitions (kind, qualified name, parent, exported, bases, implements), its imports and exports,
and its share of the repository-wide TypeFacts (class fields, return types, parameter types,
type parameters, returned objects, module-level bindings). Lines, bodies and calls are the file's
own business: an edit inside a function body changes none of it. Each item is filed under the
names a caller's call, base or import would mention (a definition's name and its class's name,
a field's name, a module binding's name); a name's digest is a hash of its items. Imports and
exports are filed under the local or exported name they bind; a star import or export, and
whether the file has export records at all, under "*", which stands for every name.

Node ids never enter a digest: a definition is keyed by (kind, qualified name, occurrence), so the
full build and the incremental update compute the same digests for the same rows.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from mnemo.graph.resolve import CLASS_KINDS, Module, Resolver

EVERYTHING = "*"  # star imports and exports, whether there are exports: when it differs, every name may
MEMBERS = "#m"  # present when the file has member-signature nodes (built by the full build only)
OWN = "#i"  # imports that bind no name (`import './x'`): only the file's own edges depend on them
_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def node_keys(resolver: Resolver, module: Module) -> dict[int, str]:
    """Node id → a key that survives re-creation: kind, qualified name and occurrence."""
    definitions = resolver.table.definitions
    seen: dict[tuple[str, str], int] = {}
    keys: dict[int, str] = {}
    for node in module.nodes:
        d = definitions[node]
        index = seen.get((d.kind, d.qualified_name), 0)
        seen[(d.kind, d.qualified_name)] = index + 1
        keys[node] = f"{d.kind}:{d.qualified_name}#{index}"
    return keys


def file_digests(resolver: Resolver, module: Module) -> dict[str, str]:
    """Name → digest of what the module offers under that name (see the module docstring)."""
    items, _ = _items(resolver, module, mentions=False)
    return {name: hashlib.blake2b("\n".join(sorted(found)).encode(), digest_size=8).hexdigest()
            for name, found in items.items()}


def file_mentions(resolver: Resolver, module: Module) -> dict[str, set[str]]:
    """Name → the words its type facts mention (`export const manager = create()`: manager →
    {create}): when `create` changes, what `manager` stands for may too (see `spread`)."""
    return _items(resolver, module, mentions=True)[1]


def _items(resolver: Resolver, module: Module, mentions: bool) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """The module's items by name, and (`mentions`) the words each name's type facts mention."""
    definitions = resolver.table.definitions
    types = resolver.types
    keys = node_keys(resolver, module)
    items: dict[str, list[str]] = defaultdict(list)
    mentioned: dict[str, set[str]] = defaultdict(set)

    def scope(node: int) -> str:
        return keys.get(node, "?") if node else "."

    def values(found) -> list:
        return [(how, text, scope(node)) for how, text, node in found]

    def mention(names, *texts) -> None:
        if not mentions or not texts:
            return
        words = {w for text in texts for w in _WORD.findall(str(text))}
        for name in names:
            mentioned[name] |= words

    for name, item in _bindings(module):
        items[name].append(item)
    own = {node: repr(("d", keys[node], d.name, d.parent, d.exported, d.bases, d.implements, d.signature_only,
                       d.nested)) for node in module.nodes for d in (definitions[node],)}
    classes = {definitions[n].qualified_name: own[n] for n in module.nodes if definitions[n].kind in CLASS_KINDS}
    for node in module.nodes:
        d = definitions[node]
        key = keys[node]
        items[d.name].append(own[node])
        mention((d.name,), *d.bases, *d.implements)
        if d.parent:
            items[d.parent.rpartition(".")[2]].append(own[node])
            if d.parent in classes:  # a class's bases decide what its methods override or implement
                items[d.name].append(classes[d.parent])
        if d.signature_only:
            items[MEMBERS].append(key)
        for label, table in (("r", types.returns), ("p", types.params), ("g", types.generics),
                             ("o", types.returned)):
            found = table.get(node)
            if found:
                found = sorted(found.items()) if isinstance(found, dict) else found
                items[d.name].append(repr((label, key, found)))
                mention((d.name,), found)
        for field_name, found in sorted(types.fields.get(node, {}).items()):
            item = repr(("f", key, field_name, values(found)))
            items[d.name].append(item)
            items[field_name].append(item)
            mention((d.name, field_name), *(text for _, text, _ in found))
    for name, found in sorted(types.module_vars.get(module.path, {}).items()):
        items[name].append(repr(("v", name, values(found))))
        mention((name,), *(text for _, text, _ in found))
    return items, mentioned


def _bindings(module: Module):
    """(name, item) for the imports and exports: what `member_of` reads, in order (the last
    import of a local name wins, the first export of a name does)."""
    seen: dict[str, int] = {}

    def numbered(name: str, *item) -> tuple[str, str]:
        index = seen.get(name, 0)
        seen[name] = index + 1
        return name, repr((index, *item))

    # a module without export records is CommonJS or a script: every top-level name is its export
    yield EVERYTHING, repr(("exports", bool(module.exports)))
    for imp in module.imports:
        if not imp.names:  # `import './x'`: an edge of the file's own
            yield numbered(OWN, "i", imp.source)
        for imported in imp.names:  # Python `from x import *`: any name may come through it
            yield numbered(EVERYTHING if imported.local == "*" else imported.local,
                           "i", imp.source, imported.name, imported.alias)
    for export in module.exports:  # `export * from './x'`: any name may come through it
        yield numbered(EVERYTHING if export.name == "*" else export.name,
                       "e", export.name, export.local, export.source)


def spread(dirty: set[str] | None, mentions: dict[str, set[str]]) -> set[str] | None:
    """The dirty names and, to a fixed point, the names whose type facts mention one."""
    if dirty is None:
        return None
    found = set(dirty)
    grew = bool(found)
    while grew:
        grew = False
        for name, words in mentions.items():
            if name not in found and not words.isdisjoint(found):
                found.add(name)
                grew = True
    return found


def dirty_names(old: dict[str, str] | None, new: dict[str, str]) -> set[str] | None:
    """The names whose digest differs (added, removed or changed); None: every name may."""
    if old is None or old.get(EVERYTHING) != new.get(EVERYTHING):
        return None
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name) and not name.startswith("#")}
