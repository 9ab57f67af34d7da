"""C# definitions from a fixture file: types, members, properties, bases and usings."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_csharp_types_and_members_inside_a_namespace() -> None:
    parsed = parse_fixture("Inventory.cs", "csharp")

    assert summary(parsed) == [
        ("interface", "IStore", 8, 11, True),
        ("class", "Warehouse", 13, 30, True),
        ("method", "Warehouse.Warehouse", 17, 17, True),  # constructor
        ("method", "Warehouse.Find", 20, 25, True),
        ("method", "Warehouse.Count", 27, 27, True),  # expression-bodied property
        ("method", "Warehouse.Dispose", 29, 29, True),
        ("class", "Item", 32, 32, True),  # struct
        ("enum", "Status", 34, 34, True),
        ("class", "Receipt", 36, 36, True),  # positional record
        ("type", "ItemHandler", 38, 38, True),  # delegate
    ]
    warehouse = chunk(parsed, "Warehouse")
    assert (warehouse.bases, warehouse.implements) == (["StoreBase"], ["IStore", "IDisposable"])
    assert warehouse.signature == "public class Warehouse : StoreBase, IStore, IDisposable"
    find = chunk(parsed, "Warehouse.Find")
    assert find.docstring == "<summary>Finds an item or returns null.</summary>"
    assert find.complexity == 3  # if, ||
    assert calls(parsed, "Warehouse.Find") == [("ContainsKey", "_items"), ("Write", "Log")]
    assert calls(parsed, "Warehouse.Warehouse") == [("Init", None)]
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "System", "names": [], "line": 1},
        {"source": "System.Collections.Generic", "names": [], "line": 2},
        {"source": "Newtonsoft.Json", "names": [{"name": "*", "alias": "Json"}], "line": 3},
    ]
