"""No module-level pattern of the support mission's runtime readers (graphs/support, not its evals) encodes one
phrasing: every word a pattern looks for comes from the words file (``WORDS``), and only regex structure is written in
the code. The scan reads the modules' syntax trees: each ``re.compile`` built when a module is imported (an assignment,
a comprehension, a helper called at import, a cached helper), and each pattern a function hands to ``re`` built from
module-level strings, is rendered back to its pattern text, the parts that come
from ``WORDS`` (or from values the code cannot know) standing as a blank, and module-level strings it is built from
followed; what is left once regex syntax (escapes, classes, groups, flags, counted repeats) is taken out must hold no
run of two letters or more. A checker that could not fail would prove nothing, so a planted phrase is reported too."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ai_missions.graphs.support as support

#: What stands for a part of a pattern built from data (``WORDS``) or from a value only known at run time: no letter,
#: so no word runs across it.
BLANK = "\x00"
#: Regex syntax, taken out before words are looked for: escapes (``\b``, ``\d``, ``\u2013``, ``\N{...}``), character
#: classes (anything inside ``[...]``), named groups and back references, flags and group openers (``(?i)``,
#: ``(?:``, ``(?<!``), counted repeats (``{1,4}``).
SYNTAX = re.compile(
    r"\\N\{[^}]*\}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}|\\."
    r"|\[\^?\]?(?:\\.|[^\]\\])*\]"
    r"|\(\?P<\w+>|\(\?P=\w+\)|\(\?#[^)]*\)|\(\?[aiLmsux]*(?:-[imsx]+)?[:)]|\(\?<?[=!]|\(\?>"
    r"|\{\d*,?\d*\}"
)
#: A natural-language word: two letters or more in a row (of any alphabet).
WORD = re.compile(r"[^\W\d_]{2,}")
#: Decorators that make a helper build its pattern once and keep it, as a module-level pattern is kept.
CACHES = frozenset({"cache", "lru_cache", "cached_property"})


def words_in_pattern(pattern: str) -> list[str]:
    """The words left in a pattern's text once its regex syntax is taken out."""
    return WORD.findall(SYNTAX.sub(BLANK, pattern))


@dataclass(frozen=True)
class Offence:
    """A word written into a pattern: where the pattern is compiled, what it is bound to, and the word."""

    path: str
    line: int
    name: str
    word: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.name}: {self.word!r}"


def _is_words_call(node: ast.Call) -> bool:
    """``WORDS.alternation(...)`` and the like: the words come from the words file."""
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value
        if isinstance(func, ast.Call):
            return _is_words_call(func)
    return isinstance(func, ast.Name) and func.id == "WORDS"


def _is_compile(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
    )


#: The functions of ``re`` whose first argument is a pattern.
RE_FUNCTIONS = frozenset({"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"})


def _uses_re(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RE_FUNCTIONS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and bool(node.args)
    )


def _module_names(call: ast.Call, values: dict[str, ast.expr]) -> bool:
    """Whether a call's pattern reads a module-level name (a pattern kept at module level, compiled later)."""
    return any(isinstance(n, ast.Name) and n.id in values for n in ast.walk(call.args[0]))


def _bound_names(targets: list[ast.expr]) -> Iterator[str]:
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id


class _Renderer:
    """Renders an expression back to the pattern text it builds: string constants as written, values from ``WORDS``
    or unknown at import as :data:`BLANK`, names bound to a value in scope followed (once each, no loops)."""

    def __init__(
        self,
        values: dict[str, ast.expr],
        unknown: frozenset[str] = frozenset(),
        functions: dict[str, ast.FunctionDef] | None = None,
    ) -> None:
        self.values = values
        self.unknown = unknown
        self.functions = functions or {}
        self.following: set[str] = set()

    def render(self, node: ast.AST | None) -> str:
        if node is None:
            return BLANK
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else BLANK
        if isinstance(node, ast.JoinedStr):
            return "".join(self.render(part) for part in node.values)
        if isinstance(node, ast.FormattedValue | ast.Starred):
            return self.render(node.value)
        if isinstance(node, ast.BinOp):
            return self.render(node.left) + self.render(node.right)
        if isinstance(node, ast.IfExp):
            return self.render(node.body) + BLANK + self.render(node.orelse)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return BLANK.join(self.render(e) for e in node.elts)
        if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
            return self._in_comprehension(node, node.elt)
        if isinstance(node, ast.Name):
            return self._follow(node.id)
        if isinstance(node, ast.Call):
            return self._call(node)
        return BLANK  # a subscript, an attribute (``OTHER.pattern`` is scanned on its own): data or another pattern

    def _follow(self, name: str) -> str:
        if name in self.unknown or name not in self.values or name in self.following:
            return BLANK
        self.following.add(name)
        try:
            return self.render(self.values[name])
        finally:
            self.following.discard(name)

    def _in_comprehension(self, node: ast.GeneratorExp | ast.ListComp | ast.SetComp, element: ast.AST) -> str:
        local = frozenset(_bound_names([g.target for g in node.generators]))
        inner = _Renderer(self.values, self.unknown | local, self.functions)
        inner.following = self.following
        return inner.render(element)

    def _call(self, node: ast.Call) -> str:
        if _is_words_call(node):
            return BLANK
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and node.args:
            return self.render(func.value) + BLANK + self.render(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr in ("replace", "strip", "lower", "upper"):
            return self.render(func.value)
        if _is_compile(node):
            return self.render(node.args[0] if node.args else None)
        if isinstance(func, ast.Name) and func.id in self.functions and func.id not in self.following:
            return self._helper(self.functions[func.id], node)
        parts = [*node.args, *(k.value for k in node.keywords if k.arg not in ("flags", "key", "reverse"))]
        return BLANK.join(self.render(p) for p in parts) if parts else BLANK

    def _helper(self, function: ast.FunctionDef, call: ast.Call) -> str:
        """What a helper of the module returns, its parameters standing for the arguments of this call."""
        local_values, unknown = _function_locals(function)
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults = dict(zip([a.arg for a in positional][::-1], arguments.defaults[::-1], strict=False))
        defaults |= {a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d}
        given = {a.arg: self.render(v) for a, v in zip(positional, call.args, strict=False)}
        if arguments.vararg is not None:
            given[arguments.vararg.arg] = BLANK.join(self.render(v) for v in call.args[len(positional) :])
        given |= {k.arg: self.render(k.value) for k in call.keywords if k.arg is not None}
        bound: dict[str, ast.expr] = {**defaults, **{name: ast.Constant(text) for name, text in given.items()}}
        inner = _Renderer({**self.values, **local_values, **bound}, unknown - bound.keys(), self.functions)
        inner.following = self.following | {function.name}
        returned = [n.value for n in ast.walk(function) if isinstance(n, ast.Return)]
        return BLANK.join(inner.render(value) for value in returned)


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run when a module is imported (into ``if``, ``try``, ``with`` and class bodies)."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If | ast.Try | ast.With | ast.ClassDef):
            yield from _module_statements(getattr(statement, "body", []) + getattr(statement, "orelse", []))
            yield from _module_statements(getattr(statement, "finalbody", []))
            for handler in getattr(statement, "handlers", []):
                yield from _module_statements(handler.body)


def _assigned(statement: ast.stmt) -> tuple[list[ast.expr], ast.expr | None]:
    if isinstance(statement, ast.Assign):
        return statement.targets, statement.value
    if isinstance(statement, ast.AnnAssign):
        return [statement.target], statement.value
    return [], None


def _function_locals(function: ast.FunctionDef) -> tuple[dict[str, ast.expr], frozenset[str]]:
    """A helper's names bound once to a value (followed), and those bound otherwise (parameters, loops: unknown)."""
    values: dict[str, ast.expr] = {}
    unknown = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
    unknown |= {a.arg for a in (function.args.vararg, function.args.kwarg) if a is not None}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets, value = _assigned(node)
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and value is not None:
                if targets[0].id in values:
                    unknown.add(targets[0].id)
                values[targets[0].id] = value
            else:
                unknown |= set(_bound_names(targets))
        elif isinstance(node, ast.For | ast.comprehension | ast.AugAssign | ast.NamedExpr):
            unknown |= set(_bound_names([node.target]))
    return values, frozenset(unknown)


def _decorator_name(decorator: ast.expr) -> str:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def pattern_offences(source: str, path: str) -> list[Offence]:
    """The words written into the patterns a module builds at import, each with where its pattern is compiled."""
    tree = ast.parse(source)
    statements = list(_module_statements(tree.body))
    values: dict[str, ast.expr] = {}
    for statement in statements:
        targets, value = _assigned(statement)
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and value is not None:
            values[targets[0].id] = value
    functions = {s.name: s for s in statements if isinstance(s, ast.FunctionDef)}
    # (name it is bound to, the compile call, the renderer of its scope)
    compiled: list[tuple[str, ast.Call, _Renderer]] = []
    called: set[str] = set()
    for statement in statements:
        targets, value = _assigned(statement)
        if isinstance(statement, ast.Expr):
            value = statement.value
        if value is None:
            continue
        name = ", ".join(_bound_names(targets)) or "<expression>"
        comprehension_names = frozenset(
            n for c in ast.walk(value) if isinstance(c, ast.comprehension) for n in _bound_names([c.target])
        )
        for node in ast.walk(value):
            if _is_compile(node):
                assert isinstance(node, ast.Call)
                compiled.append((name, node, _Renderer(values, comprehension_names, functions)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                called.add(node.func.id)
    for function in functions.values():
        cached = any(_decorator_name(d) in CACHES for d in function.decorator_list)
        if not (cached or function.name in called):
            continue
        local_values, unknown = _function_locals(function)
        renderer = _Renderer({**values, **local_values}, unknown, functions)
        compiled += [(f"{function.name}()", n, renderer) for n in ast.walk(function) if _is_compile(n)]
    # a pattern a function hands to ``re`` when it runs, built from the module's strings ("_NOT + word"): the
    # module-level parts are followed, the function's own values stand as blanks
    seen = {id(call) for _, call, _ in compiled}
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        unknown = _function_locals(function)[1] | {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
        renderer = _Renderer(values, frozenset(unknown - values.keys()), functions)
        compiled += [
            (f"{function.name}()", call, renderer)
            for call in ast.walk(function)
            if _uses_re(call) and id(call) not in seen and _module_names(call, values)
        ]
    return [
        Offence(path, call.lineno, name, word)
        for name, call, renderer in compiled
        for word in dict.fromkeys(words_in_pattern(renderer.render(call)))
    ]


def runtime_modules() -> list[Path]:
    """The support mission's runtime modules: every Python file of graphs/support but its evals."""
    root = Path(support.__file__).parent
    return sorted(p for p in root.rglob("*.py") if "evals" not in p.relative_to(root).parts)


def support_offences() -> list[Offence]:
    root = Path(support.__file__).parent.parent.parent
    return [
        offence
        for module in runtime_modules()
        for offence in pattern_offences(module.read_text(encoding="utf-8"), str(module.relative_to(root)))
    ]


def test_a_phrase_written_into_a_pattern_is_reported_with_its_place_and_word() -> None:
    planted = 'import re\n\n_SAME = re.compile(r"\\b(?:same as)\\b")\n'
    assert [str(o) for o in pattern_offences(planted, "planted.py")] == [
        "planted.py:3 _SAME: 'same'",
        "planted.py:3 _SAME: 'as'",
    ]


def test_a_pattern_built_from_words_and_structure_is_not_reported() -> None:
    planted = (
        "import re\n"
        "_ORDER = WORDS.alternation('order_word')\n"
        '_REF = re.compile(rf"(?<![\\w#])(?P<ref>(?:{_ORDER})\\s*#?\\d{{4,}})\\b(?i:[a-z]{{0,3}})\\u2013\\n")\n'
        "_EACH = {n: re.compile(rf'(?<![a-z0-9])(?:{WORDS.alternation(f\"price_{n}\")})(?![a-z0-9])') for n in KINDS}\n"
        "_JOINED = re.compile('|'.join(rf'\\b(?P<{name}>{words})\\b' for name, words in NAMED.items()))\n"
        "def _not_after(*names, edge=''):\n"
        "    return ''.join(f'(?<!{edge}{re.escape(p)} )' for p in WORDS.phrases(*names))\n"
        "_NOT_DEGREE = _not_after('size_degree', edge=r'\\b')\n"
        "_SIZE = re.compile(rf'{_NOT_DEGREE}(?:{WORDS.alternation(\"size\")})')\n"
    )
    assert pattern_offences(planted, "planted.py") == []


def test_a_phrase_reached_through_a_name_a_comprehension_or_a_cached_helper_is_reported() -> None:
    planted = (
        "import functools, re\n"
        "_SAME = r'same\\s+as'\n"
        "_BY_NAME = re.compile(rf'\\b(?:{_SAME})\\b')\n"
        "_EACH = [re.compile(rf'{w}\\s+order') for w in WORDS.phrases('x')]\n"
        "@functools.cache\n"
        "def _said(phrase):\n"
        "    return re.compile(r'(?<!not )' + re.escape(phrase))\n"
        "def _before(word, edge=r'\\b'):\n"
        "    return rf'{edge}{word}\\s+'\n"
        "_GIFT = re.compile(_before('gift') + WORDS.alternation('card'))\n"
    )
    assert [(o.line, o.name, o.word) for o in pattern_offences(planted, "planted.py")] == [
        (3, "_BY_NAME", "same"),
        (3, "_BY_NAME", "as"),
        (4, "_EACH", "order"),
        (10, "_GIFT", "gift"),
        (7, "_said()", "not"),
    ]


def test_a_phrase_kept_at_module_level_and_compiled_when_a_function_runs_is_reported() -> None:
    planted = (
        "import re\n"
        "_NEGATED_BEFORE = r'\\b(?:not|isn\\'?t)'\n"
        "def said_negated(word, text):\n"
        "    return re.search(_NEGATED_BEFORE + r'\\W+' + re.escape(word), text)\n"
        "def structure_only(text, mark):\n"
        "    return re.split(rf'[.;!?]+|{mark}', text)\n"
    )
    assert [(o.line, o.name, o.word) for o in pattern_offences(planted, "planted.py")] == [
        (4, "said_negated()", "not"),
        (4, "said_negated()", "isn"),
    ]


def test_no_module_level_pattern_of_the_support_runtime_encodes_a_phrasing() -> None:
    assert len(runtime_modules()) > 10
    offences = support_offences()
    assert offences == [], "words written into patterns (move them to graphs/support/words.toml):\n" + "\n".join(
        map(str, offences)
    )
