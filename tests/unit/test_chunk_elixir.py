"""Elixir definitions from a fixture file: modules, protocols, def/defp/defmacro, @doc."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_elixir_modules_functions_guards_and_docs() -> None:
    parsed = parse_fixture("conn.ex", "elixir")

    assert summary(parsed) == [
        ("class", "Plug.Conn", 1, 39, True),
        ("method", "Plug.Conn.send_resp", 15, 21, True),
        ("method", "Plug.Conn.halt", 23, 23, True),  # def halt(conn), do: ...
        ("method", "Plug.Conn.put_status", 25, 30, False),  # defp with a `when` guard
        ("method", "Plug.Conn.assign", 32, 34, True),  # defmacro
        ("interface", "Plug.Conn.Adapter", 36, 38, True),  # defprotocol
        ("method", "Plug.Conn.Adapter.send", 37, 37, True),
    ]
    assert chunk(parsed, "Plug.Conn").docstring == "The connection struct and its helpers."
    send = chunk(parsed, "Plug.Conn.send_resp")
    assert send.docstring == "Sends a response with the given status."
    assert send.signature == "def send_resp(%__MODULE__{} = conn, status, body)"
    assert send.complexity == 3  # if, or
    # the def head is not a call of itself; `conn.halted` is a field, not a call
    assert calls(parsed, "Plug.Conn.send_resp") == [
        ("if", None),
        ("blank?", None),
        ("raise", None),
        ("info", "Logger"),
        ("code", "Status"),
    ]
    assert calls(parsed, "Plug.Conn.put_status") == [("is_integer", None), ("case", None)]
    assert [(i.source, i.line) for i in parsed.imports] == [("Plug.Conn.Status", 6), ("Plug.Utils", 7), ("Logger", 8)]
