"""parse_source on Go, Java and Rust: each language is only a query folder and a registry entry."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import ParsedFile


def parse(code: str, language: str) -> ParsedFile:
    return parse_source(dedent(code).lstrip("\n").encode(), language)


def summary(parsed: ParsedFile) -> list[tuple[str, str, str | None, int, int, bool]]:
    return [(c.kind, c.qualified_name, c.parent, c.start_line, c.end_line, c.exported) for c in parsed.chunks
            if c.kind != "module"]  # the definitions; file-level chunks are tested in test_coverage.py


GO = """
package server

import (
	"fmt"
	str "strings"
)

// Server serves requests.
type Server struct{ port int }

type Handler interface{ Serve() }

type ID = string

func (s *Server) Start(port int) error {
	fmt.Println(str.ToUpper("x"))
	if port > 0 && s != nil {
		s.run()
	}
	return nil
}

func (s Server) run() {}

func New() *Server {
	helper := func() { inner() }
	helper()
	return &Server{}
}
"""


def test_go_functions_methods_by_receiver_and_types() -> None:
    parsed = parse(GO, "go")

    assert parsed.errors == []
    assert summary(parsed) == [
        ("class", "Server", None, 9, 9, True),
        ("interface", "Handler", None, 11, 11, True),
        ("type", "ID", None, 13, 13, True),
        ("method", "Server.Start", "Server", 15, 21, True),
        ("method", "Server.run", "Server", 23, 23, False),
        ("function", "New", None, 25, 29, True),
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    assert chunks["Server"].docstring == "Server serves requests."
    assert chunks["Server"].signature == "type Server struct"
    assert chunks["Server.Start"].signature == "func (s *Server) Start(port int) error"
    assert [(c.name, c.qualifier) for c in chunks["Server.Start"].calls] == [
        ("Println", "fmt"),
        ("ToUpper", "str"),
        ("run", "s"),
    ]
    assert chunks["Server.Start"].complexity == 3
    assert [(c.name, c.qualifier) for c in chunks["New"].calls] == [("inner", None), ("helper", None)]
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "fmt", "names": [], "line": 4},
        {"source": "strings", "names": [{"name": "*", "alias": "str"}], "line": 5},
    ]


JAVA = """
package app;

import java.util.List;
import static org.junit.Assert.*;

/** A repository. */
@Entity
public class Repo<T> extends Base<T> implements Store, Comparable<Repo> {
  private int size = compute();

  @Override
  public String toString() { return helper.format(this); }

  Repo() { super(); new Thing(); this.reset(); }

  static class Inner {
    void m() { if (a && b) { go(); } }
  }
}

interface Store extends Readable, Writable<String> {
  default void flush() { sync(); }
}
"""


def test_java_classes_methods_nested_types_and_annotations() -> None:
    parsed = parse(JAVA, "java")

    assert parsed.errors == []
    assert summary(parsed) == [
        ("class", "Repo", None, 7, 19, True),
        ("method", "Repo.toString", "Repo", 11, 12, True),
        ("method", "Repo.Repo", "Repo", 14, 14, False),
        ("class", "Repo.Inner", "Repo", 16, 18, False),
        ("method", "Repo.Inner.m", "Repo.Inner", 17, 17, False),
        ("interface", "Store", None, 21, 23, False),
        ("method", "Store.flush", "Store", 22, 22, False),
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    repo = chunks["Repo"]
    assert repo.signature == "public class Repo<T> extends Base<T> implements Store, Comparable<Repo>"
    assert repo.docstring == "A repository."
    assert (repo.bases, repo.implements) == (["Base"], ["Store", "Comparable"])
    assert chunks["Store"].bases == ["Readable", "Writable"]
    assert chunks["Repo.toString"].signature == "public String toString()"
    assert [(c.name, c.qualifier) for c in chunks["Repo.Repo"].calls] == [("Thing", None), ("reset", "this")]
    assert chunks["Repo.Inner.m"].complexity == 3
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "java.util", "names": [{"name": "List", "alias": None}], "line": 3},
        {"source": "org.junit.Assert", "names": [{"name": "*", "alias": None}], "line": 4},
    ]


RUST = """
use std::collections::HashMap;
use crate::shapes::{Circle, Square as Sq};

/// A point.
#[derive(Debug, Clone)]
pub struct Point { x: f64, y: f64 }

pub trait Shape: Named + fmt::Debug {
    fn area(&self) -> f64;
    fn describe(&self) -> String { format_area(self.area()) }
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self { Point::check(x); Self { x, y } }
    fn norm(&self) -> f64 { if self.x > 0.0 && self.y > 0.0 { self.x.hypot(self.y) } else { 0.0 } }
}

enum Kind { A, B }

fn main() {
    let p = Point::new(1.0, 2.0);
    std::process::exit(0);
}
"""


def test_rust_items_impl_methods_traits_and_attributes() -> None:
    parsed = parse(RUST, "rust")

    assert parsed.errors == []
    assert summary(parsed) == [
        ("class", "Point", None, 5, 6, True),
        ("interface", "Shape", None, 8, 11, True),
        ("method", "Shape.describe", "Shape", 10, 10, False),
        ("method", "Point.new", "Point", 14, 14, True),
        ("method", "Point.norm", "Point", 15, 15, False),
        ("enum", "Kind", None, 18, 18, False),
        ("function", "main", None, 20, 23, False),
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    point = chunks["Point"]
    assert point.docstring == "A point."
    assert point.signature == "pub struct Point"
    assert point.source.startswith("#[derive(Debug, Clone)]")
    assert chunks["Shape"].bases == ["Named", "fmt::Debug"]
    assert [(c.name, c.qualifier) for c in chunks["Point.new"].calls] == [("check", "Point")]
    assert [(c.name, c.qualifier) for c in chunks["main"].calls] == [("new", "Point"), ("exit", "std::process")]
    assert chunks["Point.norm"].complexity == 3
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "std::collections", "names": [{"name": "HashMap", "alias": None}], "line": 1},
        {"source": "crate::shapes", "names": [{"name": "Circle", "alias": None}, {"name": "Square", "alias": "Sq"}], "line": 2},
    ]
