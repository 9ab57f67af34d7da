"""What the resolver needs to know about each language, kept as data.

One `LanguageRules` per language family: which receiver names mean "this object", which bare
names and global objects belong to the runtime (a call to them is a builtin, never an edge to a
local namesake), which method names builtin types carry (a call `x.push()` on an unknown
receiver may be a builtin, so it never resolves silently to a local `push`), and how module
specifiers turn into files.
"""

from __future__ import annotations

import builtins as _python_builtins
from dataclasses import dataclass

_JS_GLOBAL_FUNCTIONS = """
parseInt parseFloat isNaN isFinite encodeURI encodeURIComponent decodeURI decodeURIComponent escape
unescape eval setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate
queueMicrotask requestAnimationFrame cancelAnimationFrame requestIdleCallback structuredClone fetch
alert confirm prompt require atob btoa importScripts
describe it test expect beforeEach afterEach beforeAll afterAll xit xdescribe fit fdescribe
"""

_JS_GLOBAL_OBJECTS = """
Object Function Array Number Boolean String Symbol BigInt Date RegExp Error TypeError RangeError
SyntaxError ReferenceError EvalError URIError AggregateError Promise Proxy Reflect Map Set WeakMap
WeakSet WeakRef FinalizationRegistry ArrayBuffer SharedArrayBuffer DataView Int8Array Uint8Array
Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array
BigInt64Array BigUint64Array JSON Math Intl Atomics console process globalThis window self document
navigator location history localStorage sessionStorage performance crypto URL URLSearchParams
TextEncoder TextDecoder AbortController AbortSignal Blob File FileReader FormData Headers Request
Response Event EventTarget CustomEvent MessageChannel WebSocket Worker XMLHttpRequest module exports
Buffer global __dirname __filename jest jasmine chai sinon
"""

# Methods of the runtime's own types (Array, String, Promise, Map/Set, Object, Function, console).
_JS_BUILTIN_METHODS = """
push pop shift unshift slice splice concat join reverse sort indexOf lastIndexOf includes find
findIndex findLast findLastIndex filter map forEach reduce reduceRight some every flat flatMap fill
keys values entries at toString toLocaleString valueOf hasOwnProperty isPrototypeOf call apply bind
then catch finally get set has delete clear add charAt charCodeAt codePointAt startsWith endsWith
padStart padEnd trim trimStart trimEnd split substring substr toLowerCase toUpperCase replace
replaceAll match matchAll search localeCompare normalize repeat exec toFixed toPrecision toISOString
toJSON getTime now assign freeze create defineProperty defineProperties getPrototypeOf
setPrototypeOf getOwnPropertyNames getOwnPropertyDescriptor isArray from of stringify parse log warn
error info debug trace resolve reject all race allSettled any max min floor ceil round abs random
addEventListener removeEventListener dispatchEvent preventDefault stopPropagation querySelector
querySelectorAll getElementById appendChild removeChild setAttribute getAttribute emit on off once
next return throw toUpperCase charCodeAt fromCharCode getOwnPropertySymbols entries fromEntries
getFullYear getMonth getDate getDay getHours getMinutes getSeconds getMilliseconds toDateString
toTimeString toLocaleDateString toLocaleTimeString toUTCString getTimezoneOffset setTime test
description byteLength subarray buffer write read close open send abort item append remove
replaceWith contains closest matches insertBefore cloneNode focus blur click scrollIntoView
getBoundingClientRect createElement createTextNode classList toggle forEach push json text blob
arrayBuffer formData
"""

_PY_BUILTIN_METHODS = """
append extend insert remove pop clear index count sort reverse copy keys values items get setdefault
update popitem fromkeys join split rsplit strip lstrip rstrip replace startswith endswith format
lower upper title capitalize encode decode find rfind splitlines partition rpartition isdigit
isalpha isspace add discard union intersection difference issubset issuperset read write close
readline readlines seek tell flush __init__ __enter__ __exit__ __call__ __getattr__ __setattr__
"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _python_type_methods() -> frozenset[str]:
    """Every method of Python's builtin value types and file objects, read from the runtime."""
    import io

    types = (str, bytes, bytearray, list, dict, set, frozenset, tuple, int, float, complex, memoryview,
             io.TextIOWrapper, io.BufferedReader, io.BufferedWriter, io.BytesIO, io.StringIO)
    return frozenset(m for t in types for m in dir(t) if not (m.startswith("__") and m.endswith("__")))


@dataclass(frozen=True)
class LanguageRules:
    """Resolution conventions of one language family."""

    family: str  # "ecmascript", "python" or "generic"
    self_names: frozenset[str]  # receivers that mean the enclosing class's instance
    super_names: frozenset[str]  # receivers that mean the enclosing class's bases
    builtins: frozenset[str]  # bare callables and global objects of the runtime
    builtin_methods: frozenset[str]  # methods of the runtime's own types
    builtin_bases: frozenset[str]  # base classes that come from the runtime
    extensions: tuple[str, ...] = ()  # module file extensions, in resolution order
    index_files: tuple[str, ...] = ()  # what a directory import means
    constructor: str | None = None  # the method that instantiating a class runs
    type_wrappers: frozenset[str] = frozenset()  # generic types whose arguments keep their methods
    first_argument_wrappers: frozenset[str] = frozenset()  # … only their first argument (Annotated)
    type_keywords: frozenset[str] = frozenset()  # type names that are never a repository class

    def is_super(self, qualifier: str) -> bool:
        return qualifier in self.super_names or (self.family == "python" and qualifier.startswith("super("))


_ES_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")

ECMASCRIPT = LanguageRules(
    family="ecmascript",
    self_names=frozenset({"this"}),
    super_names=frozenset({"super"}),
    builtins=_words(_JS_GLOBAL_FUNCTIONS) | _words(_JS_GLOBAL_OBJECTS),
    builtin_methods=_words(_JS_BUILTIN_METHODS),
    builtin_bases=_words(_JS_GLOBAL_OBJECTS),
    extensions=_ES_EXTENSIONS,
    index_files=tuple(f"index{ext}" for ext in _ES_EXTENSIONS),
    constructor="constructor",
    type_wrappers=_words("Readonly NonNullable Partial Required Awaited"),
    type_keywords=_words("any unknown never void null undefined string number boolean object symbol bigint "
                         "this true false"),
)

_PY_NAMES = frozenset(name for name in dir(_python_builtins) if not name.startswith("_")) | {"__import__"}

PYTHON = LanguageRules(
    family="python",
    self_names=frozenset({"self", "cls"}),
    super_names=frozenset({"super", "super()"}),
    builtins=_PY_NAMES,
    builtin_methods=_words(_PY_BUILTIN_METHODS) | _python_type_methods(),
    builtin_bases=_PY_NAMES,
    extensions=(".py", ".pyi"),
    index_files=("__init__.py", "__init__.pyi"),
    constructor="__init__",
    type_wrappers=_words("Optional Union Annotated Final ClassVar Required NotRequired ReadOnly"),
    first_argument_wrappers=_words("Annotated"),
    type_keywords=_words("None int str float bool bytes list dict set frozenset tuple object Any type"),
)

GENERIC = LanguageRules(
    family="generic",
    self_names=frozenset({"this", "self"}),
    super_names=frozenset({"super"}),
    builtins=frozenset(),
    builtin_methods=frozenset(),
    builtin_bases=frozenset(),
)

_BY_LANGUAGE = {
    "typescript": ECMASCRIPT,
    "tsx": ECMASCRIPT,
    "javascript": ECMASCRIPT,
    "jsx": ECMASCRIPT,
    "python": PYTHON,
}


def rules_for(language: str) -> LanguageRules:
    """The rules of `language`; languages without module rules get name-based resolution only."""
    return _BY_LANGUAGE.get(language, GENERIC)
