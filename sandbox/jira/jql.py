"""The part of JQL the app uses, parsed and evaluated the way Jira answers it (400s included)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sandbox.directory import now
from sandbox.errors import JiraError
from sandbox.jira.store import Issue, JiraStore

Predicate = Callable[[Issue], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    r"|(?P<op>!=|>=|<=|!~|=|>|<|~)|(?P<punct>[(),])|(?P<word>[^\s()=!<>~,\"']+))"
)
_RELATIVE = re.compile(r"^([-+]?)(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_FIELDS = {
    "project",
    "key",
    "issuekey",
    "id",
    "labels",
    "issuetype",
    "type",
    "status",
    "statuscategory",
    "parent",
    "summary",
    "text",
    "updated",
    "created",
    "resolved",
    "assignee",
    "reporter",
}
_DATE_FIELDS = {"updated", "created", "resolved"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def syntax_error(message: str, token: Token | None) -> JiraError:
    where = f" (line 1, character {token.position + 1})" if token else ""
    return JiraError(400, [f"Error in the JQL Query: {message}{where}"])


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip():
                raise syntax_error(f"The character '{text[pos]}' is a reserved character.", None)
            break
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append(Token(kind, value, match.start(kind)))
        pos = match.end()
    return tokens


@dataclass
class Query:
    predicate: Predicate
    order: list[tuple[str, bool]]

    def run(self, issues: list[Issue]) -> list[Issue]:
        found = [i for i in issues if self.predicate(i)]
        for name, descending in reversed(self.order or [("key", True)]):
            found.sort(key=partial(_sort_key, name=name), reverse=descending)
        return found


def _sort_key(issue: Issue, *, name: str) -> Any:
    if name in ("key", "issuekey", "id"):
        return (issue.project.key, int(issue.key.rsplit("-", 1)[1]))
    if name in _DATE_FIELDS:
        return getattr(issue, name) or datetime.min.replace(tzinfo=UTC)
    if name == "summary":
        return issue.summary.lower()
    if name == "status":
        return issue.status.name
    raise JiraError(400, [f"Not able to sort using field '{name}'."])


def compile_jql(text: str, store: JiraStore) -> Query:
    tokens = tokenize(text)
    if not tokens:
        raise JiraError(
            400, ["Unbounded JQL queries are not allowed here. Add a search restriction."]
        )
    parser = _Parser(tokens, store)
    predicate = parser.parse_query()
    if parser.peek() is None and predicate is None:
        raise JiraError(
            400, ["Unbounded JQL queries are not allowed here. Add a search restriction."]
        )
    order = parser.parse_order()
    if parser.peek() is not None:
        token = parser.peek()
        raise syntax_error(f"Expecting either 'OR' or 'AND' but got '{token.text}'.", token)  # type: ignore[union-attr]
    return Query(predicate or (lambda _i: True), order)


class _Parser:
    def __init__(self, tokens: list[Token], store: JiraStore) -> None:
        self.tokens = tokens
        self.pos = 0
        self.store = store

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise syntax_error("Expecting more input but the query ended.", self.tokens[-1])
        self.pos += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.keyword in words

    def parse_query(self) -> Predicate | None:
        if self.at_keyword("ORDER"):
            return None
        return self.parse_or()

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.at_keyword("OR"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda i: any(p(i) for p in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_not()]
        while self.at_keyword("AND"):
            self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else (lambda i: all(p(i) for p in parts))

    def parse_not(self) -> Predicate:
        if self.at_keyword("NOT"):
            self.take()
            inner = self.parse_not()
            return lambda i: not inner(i)
        token = self.peek()
        if token is not None and token.text == "(" and token.kind == "punct":
            self.take()
            inner = self.parse_or()
            closing = self.take()
            if closing.text != ")":
                raise syntax_error(f"Expecting ')' but got '{closing.text}'.", closing)
            return inner
        return self.parse_clause()

    def parse_clause(self) -> Predicate:
        field_token = self.take()
        if field_token.kind not in ("word", "string"):
            raise syntax_error(f"Expecting a field name but got '{field_token.text}'.", field_token)
        name = field_token.text
        operator = self.parse_operator()
        if operator in ("in", "not in"):
            values = self.parse_list()
        elif operator in ("is", "is not"):
            empty = self.take()
            if empty.keyword not in ("EMPTY", "NULL"):
                raise syntax_error(f"Expecting 'EMPTY' but got '{empty.text}'.", empty)
            values = []
        else:
            values = [self.parse_value()]
        return _clause(self.store, name, operator, values, field_token)

    def parse_operator(self) -> str:
        token = self.take()
        if token.kind == "op":
            return token.text
        if token.keyword == "IN":
            return "in"
        if token.keyword == "NOT" and self.at_keyword("IN"):
            self.take()
            return "not in"
        if token.keyword == "IS":
            if self.at_keyword("NOT"):
                self.take()
                return "is not"
            return "is"
        raise syntax_error(
            f"Expecting operator but got '{token.text}'. The valid operators are '=', '!=', "
            "'<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.",
            token,
        )

    def parse_value(self) -> str:
        token = self.take()
        if token.kind not in ("word", "string"):
            raise syntax_error(f"Expecting a value but got '{token.text}'.", token)
        return token.text

    def parse_list(self) -> list[str]:
        opening = self.take()
        if opening.text != "(":
            raise syntax_error(f"Expecting '(' but got '{opening.text}'.", opening)
        values = [self.parse_value()]
        while True:
            token = self.take()
            if token.text == ")":
                return values
            if token.text != ",":
                raise syntax_error(f"Expecting ',' or ')' but got '{token.text}'.", token)
            values.append(self.parse_value())

    def parse_order(self) -> list[tuple[str, bool]]:
        if not self.at_keyword("ORDER"):
            return []
        self.take()
        by = self.take()
        if by.keyword != "BY":
            raise syntax_error(f"Expecting 'by' but got '{by.text}'.", by)
        order: list[tuple[str, bool]] = []
        while True:
            name = self.take().text.lower()
            descending = False
            if self.at_keyword("ASC", "DESC"):
                descending = self.take().keyword == "DESC"
            order.append((name, descending))
            token = self.peek()
            if token is None or token.text != ",":
                return order
            self.take()


def _clause(
    store: JiraStore, name: str, operator: str, values: list[str], token: Token
) -> Predicate:
    lowered = name.lower()
    if lowered.startswith("issue.property["):
        return _property_clause(name, operator, values, token)
    if lowered not in _FIELDS:
        raise JiraError(
            400, [f"Field '{name}' does not exist or you do not have permission to view it."]
        )
    if lowered in _DATE_FIELDS:
        return _date_clause(lowered, operator, values)
    if lowered == "project":
        for value in values:
            if not any(
                value.upper() == p.key or value == p.id or value.lower() == p.name.lower()
                for p in store.projects.values()
            ):
                raise JiraError(
                    400, [f"The value '{value}' does not exist for the field 'project'."]
                )
    if lowered in ("summary", "text"):
        needle = values[0].lower().strip("*")
        contains: Predicate = lambda i: needle in i.summary.lower()  # noqa: E731
        return contains if operator == "~" else (lambda i: not contains(i))
    getter = _ACCESSORS[lowered]
    return _compare(lambda i: getter(store, i), operator, values)


def _compare(get: Callable[[Issue], set[str]], operator: str, values: list[str]) -> Predicate:
    wanted = {v.lower() for v in values}
    if operator in ("=", "in"):
        return lambda i: bool(get(i) & wanted)
    if operator in ("!=", "not in"):
        return lambda i: bool(get(i)) and not get(i) & wanted
    if operator == "is":
        return lambda i: not get(i)
    if operator == "is not":
        return lambda i: bool(get(i))
    raise JiraError(400, [f"The operator '{operator}' is not supported by this field."])


def _lower(*values: str | None) -> set[str]:
    return {v.lower() for v in values if v}


_ACCESSORS: dict[str, Callable[[JiraStore, Issue], set[str]]] = {
    "project": lambda s, i: _lower(i.project.key, i.project.id, i.project.name),
    "key": lambda s, i: _lower(i.key, i.id),
    "issuekey": lambda s, i: _lower(i.key, i.id),
    "id": lambda s, i: _lower(i.key, i.id),
    "labels": lambda s, i: _lower(*i.labels),
    "issuetype": lambda s, i: _lower(i.issuetype.name, i.issuetype.id),
    "type": lambda s, i: _lower(i.issuetype.name, i.issuetype.id),
    "status": lambda s, i: _lower(i.status.name, i.status.id),
    "statuscategory": lambda s, i: _lower(i.status.category.name, i.status.category.key),
    "parent": lambda s, i: _parent_refs(s, i),
    "assignee": lambda s, i: _lower(i.assignee),
    "reporter": lambda s, i: _lower(i.reporter),
}


def _parent_refs(store: JiraStore, issue: Issue) -> set[str]:
    parent = store.issue_by_id(issue.parent_id) if issue.parent_id else None
    return _lower(parent.key, parent.id) if parent else set()


def _property_clause(name: str, operator: str, values: list[str], token: Token) -> Predicate:
    match = re.fullmatch(r"issue\.property\[([^\]]+)\]((?:\.[^.]+)*)", name, re.IGNORECASE)
    if match is None:
        raise syntax_error(f"The property reference '{name}' is not valid.", token)
    key, path = match.group(1), [p for p in match.group(2).split(".") if p]

    def get(issue: Issue) -> set[str]:
        value: Any = issue.properties.get(key)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        items = value if isinstance(value, list) else [value]
        return {_jql_text(v) for v in items if v is not None}

    return _compare(get, operator, values)


def _jql_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower()


def parse_date(text: str) -> datetime:
    relative = _RELATIVE.match(text.strip())
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        delta = timedelta(**{_UNITS[relative.group(3)]: int(relative.group(2))})
        return now() + sign * delta
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise JiraError(
        400,
        [
            f"Date value '{text}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
            "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. "
            "'-5d', '4w 2d'."
        ],
    )


def _date_clause(name: str, operator: str, values: list[str]) -> Predicate:
    if operator in ("is", "is not"):
        present = operator == "is not"
        return lambda i: (getattr(i, name) is not None) == present
    if operator not in ("=", "!=", ">", ">=", "<", "<="):
        raise JiraError(400, [f"The operator '{operator}' is not supported by the '{name}' field."])
    bound = parse_date(values[0])
    compare: dict[str, Callable[[datetime], bool]] = {
        "=": lambda d: d == bound,
        "!=": lambda d: d != bound,
        ">": lambda d: d > bound,
        ">=": lambda d: d >= bound,
        "<": lambda d: d < bound,
        "<=": lambda d: d <= bound,
    }
    test = compare[operator]

    def check(issue: Issue) -> bool:
        moment: datetime | None = getattr(issue, name)
        return moment is not None and test(moment)

    return check
