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
    # Collections whose elements keep their type: `Array<C>` / `C[]` / `list[C]`, and what their
    # methods do with the element type: return one (`xs.find()`), pass it to a callback's first
    # parameter (`xs.map((x) => …)`; `reduce` passes it second), or return the same collection.
    collection_types: frozenset[str] = frozenset()
    element_methods: frozenset[str] = frozenset()
    iteration_methods: frozenset[str] = frozenset()
    accumulator_methods: frozenset[str] = frozenset()
    same_collection_methods: frozenset[str] = frozenset()

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
    collection_types=_words("Array ReadonlyArray Set ReadonlySet Iterable IterableIterator Iterator Generator "
                            "AsyncIterable AsyncIterableIterator ArrayLike"),
    element_methods=_words("find findLast at pop shift"),
    iteration_methods=_words("forEach map filter find findIndex findLast findLastIndex some every flatMap sort "
                             "toSorted"),
    accumulator_methods=_words("reduce reduceRight"),
    same_collection_methods=_words("filter slice concat sort reverse toSorted toReversed toSpliced splice"),
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
    collection_types=_words("list List set Set frozenset FrozenSet Sequence MutableSequence Iterable Iterator "
                            "Collection AbstractSet MutableSet Generator Deque deque"),
    element_methods=_words("pop popleft"),
    same_collection_methods=_words("copy"),
)

GENERIC = LanguageRules(
    family="generic",
    self_names=frozenset({"this", "self"}),
    super_names=frozenset({"super"}),
    builtins=frozenset(),
    builtin_methods=frozenset(),
    builtin_bases=frozenset(),
)


def _by_name(
    self_names: str, super_names: str = "", builtins: str = "", methods: str = "", bases: str = ""
) -> LanguageRules:
    """Rules for a language resolved by name only: its receiver words and runtime names."""
    return LanguageRules(
        family="generic",
        self_names=_words(self_names),
        super_names=_words(super_names),
        builtins=_words(builtins),
        builtin_methods=_words(methods),
        builtin_bases=_words(bases),
    )


# The languages below are resolved by name (no module rules). Their tables name the runtime's
# callables, so a call to `printf` or `puts` never becomes an edge to a local namesake, and
# `std::`/`Enum.` qualifiers count as the runtime's. The lists are the common core, not complete.
_C_LIBRARY = """
printf fprintf sprintf snprintf vprintf vfprintf vsnprintf scanf sscanf fscanf malloc calloc realloc
free memcpy memmove memset memcmp memchr strlen strcmp strncmp strcpy strncpy strcat strncat strchr
strrchr strstr strdup strndup strtok strtol strtoul strtod atoi atol atof exit abort atexit assert
fopen fclose fread fwrite fgets fputs fputc fgetc fflush fseek ftell puts putchar getchar perror
qsort bsearch abs labs time clock getenv sizeof offsetof va_start va_end va_arg va_copy errno
"""

C = _by_name("", builtins=_C_LIBRARY)

CPP = _by_name(
    "this",
    builtins=_C_LIBRARY + " std static_cast dynamic_cast reinterpret_cast const_cast move forward make_unique make_shared",
    methods="""push_back emplace_back pop_back size begin end cbegin cend rbegin rend find insert emplace erase
    clear empty reserve resize at front back c_str data substr count get reset release swap""",
)

CSHARP = _by_name(
    "this",
    "base",
    builtins="nameof typeof sizeof default Console Math String Object Task Enumerable Convert DateTime Guid Array Environment",
    methods="""ToString Equals GetHashCode GetType Add Remove Contains ContainsKey TryGetValue Clear Select Where
    First FirstOrDefault Single Any All Count ToList ToArray ToDictionary OrderBy GroupBy Dispose ConfigureAwait""",
    bases="Object Exception Attribute EventArgs",
)

RUBY = _by_name(
    "self",
    "super",
    builtins="""puts print p pp require require_relative load include extend prepend attr_reader attr_writer
    attr_accessor raise fail lambda proc loop private protected public module_function define_method
    block_given? yield format sprintf Integer Float String Array Hash""",
    methods="""each each_with_index each_with_object map flat_map select filter reject find detect inject reduce
    to_s to_i to_f to_a to_h to_sym inspect freeze dup clone merge fetch key? include? empty? nil? any? all?
    length size first last push pop shift unshift join split strip gsub sub tap then send respond_to?""",
    bases="Object StandardError RuntimeError ArgumentError Exception Struct BasicObject",
)

PHP = _by_name(
    "$this self static",
    "parent",
    builtins="""isset unset empty count is_array is_string is_int is_null is_callable array_map array_filter
    array_merge array_keys array_values array_key_exists in_array implode explode sprintf printf strlen
    str_replace substr strpos trim json_encode json_decode function_exists class_exists method_exists
    call_user_func call_user_func_array compact extract array_slice sort usort var_dump print_r""",
    bases="Exception RuntimeException InvalidArgumentException",
)

KOTLIN = _by_name(
    "this",
    "super",
    builtins="""println print listOf mutableListOf mapOf mutableMapOf setOf mutableSetOf arrayOf emptyList
    emptyMap require requireNotNull check checkNotNull error TODO lazy run with repeat""",
    methods="""let apply also run takeIf map filter forEach first firstOrNull last toList toMap toString equals
    hashCode add remove contains get set isEmpty isNotEmpty""",
    bases="Any Exception RuntimeException IllegalStateException IllegalArgumentException",
)

SWIFT = _by_name(
    "self",
    "super",
    builtins="print debugPrint fatalError precondition preconditionFailure assert assertionFailure min max abs zip stride",
    methods="""append insert remove removeAll map compactMap flatMap filter forEach reduce contains first last
    sorted joined description""",
    bases="NSObject Error",
)

SCALA = _by_name(
    "this",
    "super",
    builtins="println print require assert Some None Option List Seq Vector Map Set Future Either Left Right",
    methods="""map flatMap filter foreach fold foldLeft foldRight getOrElse orElse toString apply unapply
    mkString headOption toList toMap""",
    bases="Any AnyRef Product Serializable Exception",
)

LUA = _by_name(
    "self",
    builtins="""print pairs ipairs type tostring tonumber require error assert pcall xpcall setmetatable
    getmetatable rawget rawset rawequal select unpack next table string math os io coroutine debug""",
    methods="insert remove concat sort format sub gsub gmatch find match lower upper len rep byte char",
)

BASH = _by_name(
    "",
    builtins="""echo printf cd pwd test read local declare typeset export readonly return exit set unset shift
    eval exec source trap wait true false command builtin type getopts""",
)

ELIXIR = _by_name(
    "",
    builtins="""if unless case cond with for quote unquote import alias require use raise reraise throw send
    spawn receive try is_integer is_binary is_atom is_list is_map is_nil is_function is_boolean is_number
    length hd tl elem put_elem apply inspect to_string struct self super
    Enum Map List String Kernel Keyword Logger Process Agent GenServer Task IO File Path Access""",
)

HASKELL = _by_name(
    "",
    builtins="""map filter foldr foldl foldl' fmap pure return show read print putStrLn putStr mapM mapM_ forM
    forM_ sequence error undefined fst snd head tail length null not otherwise maybe either id const flip
    concat concatMap zip zipWith lookup elem when unless traverse""",
)

ZIG = _by_name("", builtins="std")

_BY_LANGUAGE = {
    "typescript": ECMASCRIPT,
    "tsx": ECMASCRIPT,
    "javascript": ECMASCRIPT,
    "jsx": ECMASCRIPT,
    "python": PYTHON,
    "c": C,
    "cpp": CPP,
    "csharp": CSHARP,
    "ruby": RUBY,
    "php": PHP,
    "kotlin": KOTLIN,
    "swift": SWIFT,
    "scala": SCALA,
    "lua": LUA,
    "bash": BASH,
    "elixir": ELIXIR,
    "haskell": HASKELL,
    "zig": ZIG,
}


def rules_for(language: str) -> LanguageRules:
    """The rules of `language`; languages without module rules get name-based resolution only."""
    return _BY_LANGUAGE.get(language, GENERIC)
