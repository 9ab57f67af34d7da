"""Receiver types through the real indexer and PostgreSQL: the facts stored with each file
(files.facts) decide where a typed call goes, and editing only the file that declares a type
re-resolves the calls that depend on it in other, unchanged files."""

from __future__ import annotations

from pathlib import Path

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

STORES = "export class Store {\n  save() {}\n}\nexport class Archive {\n  save() {}\n}\n"
HOLDER = "import { Store } from './stores';\nexport class Holder {\n  item: Store;\n}\n"
USE = "import { Holder } from './holder';\nexport function use(h: Holder) {\n  h.item.save();\n}\n"


def call_targets(database: Database, src: str) -> set[tuple[str, str]]:
    with database.connect() as conn:
        rows = conn.execute(
            """SELECT d.path || ':' || d.qualified_name, e.resolution
               FROM graph_edges e JOIN graph_nodes s ON s.id = e.src JOIN graph_nodes d ON d.id = e.dst
               WHERE e.type = 'calls' AND s.path || ':' || s.qualified_name = %s""",
            (src,),
        ).fetchall()
    return {(dst, resolution) for dst, resolution in rows}


def test_facts_are_stored_with_the_file(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"stores.ts": STORES, "holder.ts": HOLDER, "use.ts": USE})
    index_repository(database, root, IndexOptions(name="facts"), embedder=embedder)
    with database.connect() as conn:
        facts = conn.execute("SELECT facts FROM files WHERE path = 'holder.ts'").fetchone()[0]
    assert ["v", "item", "t", "Store", 3] in facts


def test_editing_the_declaring_file_re_resolves_calls_in_other_files(
    tmp_path: Path, database: Database, embedder
) -> None:
    root = write_tree(tmp_path / "repo", {"stores.ts": STORES, "holder.ts": HOLDER, "use.ts": USE})
    index_repository(database, root, IndexOptions(name="retype"), embedder=embedder)
    assert call_targets(database, "use.ts:use") == {("stores.ts:Store.save", "typed")}

    # only holder.ts changes: use.ts is skipped (same hash), yet its call follows the new type
    (root / "holder.ts").write_text(HOLDER.replace("Store", "Archive"))
    summary = index_repository(database, root, IndexOptions(name="retype"), embedder=embedder)
    assert summary.files_indexed == 1
    assert call_targets(database, "use.ts:use") == {("stores.ts:Archive.save", "typed")}


def test_python_constructor_fields_and_return_types(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {
        "engine.py": "class Engine:\n    def start(self):\n        pass\n\n\ndef make() -> Engine:\n    return Engine()\n",
        "car.py": (
            "from engine import Engine, make\n\n\nclass Car:\n    def __init__(self):\n        self.engine = Engine()\n\n"
            "    def drive(self):\n        self.engine.start()\n\n\ndef spare():\n    e = make()\n    e.start()\n"
        ),
    })
    index_repository(database, root, IndexOptions(name="pyfacts"), embedder=embedder)
    assert ("engine.py:Engine.start", "typed") in call_targets(database, "car.py:Car.drive")
    assert ("engine.py:Engine.start", "typed") in call_targets(database, "car.py:spare")


HOLDS_MANY = "import { Store } from './stores';\nexport class Shelf {\n  items: Store[] = [];\n}\n"
USE_MANY = (
    "import { Shelf } from './shelf';\n"
    "export function saveAll(s: Shelf) {\n  s.items.forEach((item) => item.save());\n}\n"
    "export function saveFirst(s: Shelf) {\n  s.items.find((item) => item !== null)?.save();\n}\n"
)


def test_element_types_follow_an_edit_of_the_collection_declaration(
    tmp_path: Path, database: Database, embedder
) -> None:
    root = write_tree(tmp_path / "repo", {"stores.ts": STORES, "shelf.ts": HOLDS_MANY, "use.ts": USE_MANY})
    index_repository(database, root, IndexOptions(name="elements"), embedder=embedder)
    assert call_targets(database, "use.ts:saveAll") == {("stores.ts:Store.save", "typed")}
    assert ("stores.ts:Store.save", "typed") in call_targets(database, "use.ts:saveFirst")

    (root / "shelf.ts").write_text(HOLDS_MANY.replace("Store", "Archive"))
    summary = index_repository(database, root, IndexOptions(name="elements"), embedder=embedder)
    assert summary.files_indexed == 1
    assert call_targets(database, "use.ts:saveAll") == {("stores.ts:Archive.save", "typed")}


FACTORY = "export function create() {\n  const run = () => 1;\n  return { run, stop: () => 2 };\n}\n" \
          "export const manager = create();\n"
USE_FACTORY = "import { manager } from './factory';\nexport function go() {\n  manager.run();\n}\n"


def test_a_factory_s_returned_object_is_re_read_when_the_factory_changes(
    tmp_path: Path, database: Database, embedder
) -> None:
    root = write_tree(tmp_path / "repo", {"factory.ts": FACTORY, "use.ts": USE_FACTORY})
    index_repository(database, root, IndexOptions(name="factory"), embedder=embedder)
    assert call_targets(database, "use.ts:go") == {("factory.ts:create.run", "scope")}

    # the factory no longer returns `run`: the call on its object has no target any more
    (root / "factory.ts").write_text(FACTORY.replace("{ run, stop", "{ stop"))
    summary = index_repository(database, root, IndexOptions(name="factory"), embedder=embedder)
    assert summary.files_indexed == 1
    assert call_targets(database, "use.ts:go") == set()


BOUNDED = "import { Store } from './stores';\nexport function keep<S extends Store>(s: S) {\n  s.save();\n}\n"


def test_an_unchanged_file_re_resolved_incrementally_keeps_its_scopes(
    tmp_path: Path, database: Database, embedder
) -> None:
    """use.ts is re-resolved (it imports the edited file) without being indexed again: its
    definitions' line spans still scope its facts (here a type parameter's bound)."""
    root = write_tree(tmp_path / "repo", {"stores.ts": STORES, "use.ts": BOUNDED})
    index_repository(database, root, IndexOptions(name="bounded"), embedder=embedder)
    assert call_targets(database, "use.ts:keep") == {("stores.ts:Store.save", "typed")}

    (root / "stores.ts").write_text(STORES + "export class Extra {}\n")
    summary = index_repository(database, root, IndexOptions(name="bounded"), embedder=embedder)
    assert summary.files_indexed == 1
    assert summary.graph.get("calls", {}).get("update") == "incremental"
    assert call_targets(database, "use.ts:keep") == {("stores.ts:Store.save", "typed")}
