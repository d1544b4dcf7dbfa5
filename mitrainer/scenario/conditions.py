"""The small condition language used in a branch's ``if:``.

Instructors write conditions such as::

    rapport >= 3 and not discord > 1
    visits("clinic_routine") < 2 or readiness == 5
    stage == "contemplation"

Grammar (parsed here by hand, never ``eval``-ed)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum     := atom (("+" | "-") atom)*
    atom    := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"

Names are declared scenario variables. Functions: ``visits(node)`` — how many times the
client has said that node's line this session (the current node included); ``turn()`` — the
number of trainee responses so far; ``used(code)`` — how many responses so far were given that
skill code (``used("confront") > 0``); ``towards(direction)`` — how many responses so far
strengthened that side of the client's ambivalence (``towards("sustain") > towards("change")``).
Errors are :class:`ConditionError` with a column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from mitrainer.safeyaml import MAX_DECIMAL, MAX_INTEGER, number_in_range

Value = int | float | bool | str

FUNCTIONS: dict[str, int] = {"visits": 1, "turn": 0, "used": 1, "towards": 1}

# Limits that keep parsing and evaluation (both recursive) far from Python's recursion
# limit whatever a file holds; real conditions stay well inside them.
MAX_NESTING = 32
MAX_TOKENS = 256


class ConditionError(ValueError):
    def __init__(self, message: str, column: int, hint: str = ""):
        super().__init__(message)
        self.column = column  # 1-based, within the condition text
        self.hint = hint


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>\"[^\"]*\"|'[^']*')|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\(|\)|,|\+|-))"
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    end = len(text.rstrip())  # trailing whitespace ends the condition
    while pos < end:
        if len(tokens) == MAX_TOKENS:
            raise ConditionError(f"the condition is too long (more than {MAX_TOKENS} parts)", _next_column(text, pos),
                                 "split it over several branches")
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            col = _next_column(text, pos)
            bad = text[col - 1]
            hint = "use 'and', 'or', 'not' and == != < <= > >=" if bad in "&|!=" else ""
            raise ConditionError(f"unexpected character '{bad}'", col, hint)
        kind = match.lastgroup or "op"
        start = match.start(kind)
        tokens.append(Token(kind, match.group(kind), start + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _next_column(text: str, pos: int) -> int:
    """1-based column of the first non-blank character at or after ``pos``."""
    return pos + 1 + (len(text[pos:]) - len(text[pos:].lstrip()))


# AST nodes: small frozen dataclasses evaluated by `evaluate`.
@dataclass(frozen=True)
class Literal:
    value: Value


@dataclass(frozen=True)
class Var:
    name: str
    column: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Literal, ...]
    column: int


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr


Expr = Literal | Var | Call | Unary | Binary


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(f"the condition is nested more than {MAX_NESTING} levels deep", token.column)

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text != text:
            raise ConditionError(f"expected '{text}' but found {_describe(token)}", token.column)
        return token

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise ConditionError("the condition is empty", 1)
        expr = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            raise ConditionError(f"unexpected {_describe(token)}", token.column,
                                 "join conditions with 'and' or 'or'")
        return expr

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self.peek().text == "or":
            self.take()
            left = Binary("or", left, self.parse_and())
        return left

    def parse_and(self) -> Expr:
        left = self.parse_not()
        while self.peek().text == "and":
            self.take()
            left = Binary("and", left, self.parse_not())
        return left

    def parse_not(self) -> Expr:
        if self.peek().text == "not":
            self.nest(self.take())
            operand = self.parse_not()
            self.depth -= 1
            return Unary("not", operand)
        return self.parse_compare()

    def parse_compare(self) -> Expr:
        left = self.parse_sum()
        if self.peek().text in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take().text
            left = Binary(op, left, self.parse_sum())
            if self.peek().text in ("==", "!=", "<", "<=", ">", ">="):
                raise ConditionError("comparisons cannot be chained", self.peek().column,
                                     "write 'a < b and b < c'")
        return left

    def parse_sum(self) -> Expr:
        left = self.parse_atom()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            left = Binary(op, left, self.parse_atom())
        return left

    def parse_atom(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            return Literal(_number(token))
        if token.kind == "string":
            return Literal(token.text[1:-1])
        if token.text == "-" and self.peek().kind == "number":
            return Literal(-_number(self.take()))
        if token.text == "(":
            self.nest(token)
            expr = self.parse_or()
            self.expect(")")
            self.depth -= 1
            return expr
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true")
            if token.text in ("and", "or", "not"):
                raise ConditionError(f"'{token.text}' needs something before it", token.column)
            if self.peek().text == "(":
                self.take()
                args: list[Literal] = []
                while self.peek().text != ")":
                    arg = self.take()
                    if arg.kind == "string":
                        args.append(Literal(arg.text[1:-1]))
                    elif arg.kind == "name":  # visits(node_id) without quotes is fine too
                        args.append(Literal(arg.text))
                    else:
                        raise ConditionError(f"unexpected {_describe(arg)} in the arguments", arg.column)
                    if self.peek().text == ",":
                        self.take()
                self.expect(")")
                return Call(token.text, tuple(args), token.column)
            return Var(token.text, token.column)
        raise ConditionError(f"unexpected {_describe(token)}", token.column)


def _number(token: Token) -> int | float:
    # The same limits as numbers in the YAML (mitrainer.safeyaml): '1.5 + <400 digits>' passed
    # validation and overflowed at the first response. Long digit strings are refused before
    # conversion (Python's own limit is 4 300 digits, and the work grows with the length).
    too_big = ConditionError(f"the number starting '{token.text[:12]}' is out of range: whole numbers up to "
                             f"{MAX_INTEGER:,} or decimals up to {MAX_DECIMAL:,.0f}", token.column)
    if len(token.text) > 40:
        raise too_big
    value = float(token.text) if "." in token.text else int(token.text)
    if not number_in_range(value):
        raise too_big
    return value


def _describe(token: Token) -> str:
    return "the end of the condition" if token.kind == "end" else f"'{token.text}'"


def parse(text: str) -> Expr:
    """Parse a condition; raises :class:`ConditionError` with a 1-based column."""
    return _Parser(text).parse()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the expression tree (iteratively: depth is bounded by the parser anyway)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))


def names_in(expr: Expr) -> list[Var]:
    """Every variable the expression reads, in reading order."""
    return [node for node in walk(expr) if isinstance(node, Var)]


def calls_in(expr: Expr) -> list[Call]:
    """Every function call in the expression, in reading order."""
    return [node for node in walk(expr) if isinstance(node, Call)]


def evaluate(expr: Expr, variables: Mapping[str, Value], functions: Mapping[str, Callable[..., Value]]) -> Value:
    """Evaluate a parsed, validated condition. Type mismatches compare as False."""
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Var):
        return variables[expr.name]
    if isinstance(expr, Call):
        return functions[expr.name](*(a.value for a in expr.args))
    if isinstance(expr, Unary):
        return not _truthy(evaluate(expr.operand, variables, functions))
    assert isinstance(expr, Binary)
    if expr.op == "and":
        return _truthy(evaluate(expr.left, variables, functions)) and _truthy(evaluate(expr.right, variables, functions))
    if expr.op == "or":
        return _truthy(evaluate(expr.left, variables, functions)) or _truthy(evaluate(expr.right, variables, functions))
    left = evaluate(expr.left, variables, functions)
    right = evaluate(expr.right, variables, functions)
    # Values are numbers, booleans or text: arithmetic and order on the wrong pair raise
    # TypeError, which is the "mismatch compares as False" rule below, so the operators are
    # applied to the union as it is (hence the operator ignores).
    try:
        if expr.op == "+":
            return left + right  # type: ignore[operator]
        if expr.op == "-":
            return left - right  # type: ignore[operator]
        if expr.op == "==":
            return left == right
        if expr.op == "!=":
            return left != right
        if expr.op == "<":
            return left < right  # type: ignore[operator]
        if expr.op == "<=":
            return left <= right  # type: ignore[operator]
        if expr.op == ">":
            return left > right  # type: ignore[operator]
        if expr.op == ">=":
            return left >= right  # type: ignore[operator]
    except (TypeError, ArithmeticError):  # a type mismatch, or a sum past what a float holds
        return False
    raise ValueError(f"unknown operator {expr.op}")  # pragma: no cover


def _truthy(value: Value) -> bool:
    return bool(value)
