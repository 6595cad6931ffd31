"""GET /api/v1/openapi.json: the OpenAPI 3.0 document, generated from the routes and schemas."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from marshmallow import Schema, fields, validate

from connector.api import schemas
from connector.api.routing import OPERATIONS, Operation, bp

SIMPLE: list[tuple[type[fields.Field[Any]], dict[str, Any]]] = [
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.Date, {"type": "string", "format": "date"}),  # before DateTime: a Date is one
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.String, {"type": "string"}),
    (fields.Dict, {"type": "object"}),
]


class Components:
    """Collects each schema once under #/components/schemas."""

    def __init__(self) -> None:
        self.schemas: dict[str, dict[str, Any]] = {}

    def ref(self, schema: type[Schema] | Schema, *, load: bool) -> dict[str, Any]:
        cls = schema if isinstance(schema, type) else type(schema)
        name = cls.__name__
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder: recursive schemas terminate
            self.schemas[name] = self.object_schema(cls(), load=load)
        return {"$ref": f"#/components/schemas/{name}"}

    def object_schema(self, schema: Schema, *, load: bool) -> dict[str, Any]:
        properties, required = {}, []
        for name, field in schema.fields.items():
            key = field.data_key or name
            properties[key] = self.field_schema(field, load=load)
            if field.required:
                required.append(key)
        answer: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            answer["required"] = required
        if load:
            answer["additionalProperties"] = False
        return answer

    def field_schema(self, field: fields.Field[Any], *, load: bool) -> dict[str, Any]:
        if isinstance(field, fields.Nested):
            nested = field.nested() if callable(field.nested) else field.nested
            answer = self.ref(nested, load=load)  # type: ignore[arg-type]
            return {"allOf": [answer], "nullable": True} if field.allow_none else answer
        if isinstance(field, fields.List):
            answer = {"type": "array", "items": self.field_schema(field.inner, load=load)}
        else:
            answer = next((dict(s) for cls, s in SIMPLE if isinstance(field, cls)), {})
        for check in field.validators:
            answer.update(_constraint(check))
        if field.allow_none:
            answer["nullable"] = True
        if field.metadata.get("description"):
            answer["description"] = field.metadata["description"]
        return answer


def _constraint(check: Any) -> dict[str, Any]:
    if isinstance(check, validate.OneOf):
        return {"enum": list(check.choices)}
    if isinstance(check, validate.Length):
        bounds = {"minLength": check.min, "maxLength": check.max}
        if check.equal is not None:
            bounds = {"minLength": check.equal, "maxLength": check.equal}
        return {k: v for k, v in bounds.items() if v is not None}
    if isinstance(check, validate.Range):
        return {k: v for k, v in (("minimum", check.min), ("maximum", check.max)) if v is not None}
    if isinstance(check, validate.Regexp):
        return {"pattern": check.regex.pattern}
    return {}


def document(base_url: str) -> dict[str, Any]:
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, components
        )
    components.ref(schemas.ErrorOut, load=False)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Internal Customer Map API",
            "version": "1.0.0",
            "description": "Teams, their internal customers and suppliers, the expectations "
            "customers state, goals, and health. JSON in camelCase; errors are "
            '`{"error": {"code", "message", "details"}}`.',
        },
        "servers": [{"url": f"{base_url}/api/v1"}],
        "security": [{"connectJwt": []}],
        "paths": paths,
        "components": {
            "schemas": components.schemas,
            "securitySchemes": {
                "connectJwt": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`JWT <token>` signed with the installation's shared secret "
                    "(qsh of the request, or `context-qsh` from the app's own pages).",
                }
            },
        },
    }


def _operation(operation: Operation, components: Components) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "summary": operation.summary,
        "tags": [operation.tag],
        "operationId": f"{operation.method.lower()}{_title(operation.path)}",
        "parameters": _parameters(operation, components),
        "responses": _responses(operation, components),
    }
    if operation.body is not None:
        answer["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.ref(operation.body, load=True)}},
        }
    return answer


# What each URL converter in our rules accepts: `<int:...>` is always a row id.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID},
}


def _parameters(operation: Operation, components: Components) -> list[dict[str, Any]]:
    found = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(PATH_SCHEMAS.get(kind, {"type": "string"})),
        }
        for name, kind in operation.parameters
    ]
    if operation.query is not None:
        for name, field in operation.query().fields.items():
            parameter = {
                "name": field.data_key or name,
                "in": "query",
                "required": False,
                "schema": components.field_schema(field, load=True),
            }
            if isinstance(field, fields.List):  # `?state=a&state=b`
                parameter.update(style="form", explode=True)
            found.append(parameter)
    return found


def _responses(operation: Operation, components: Components) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    if operation.answer is None:
        answer[str(operation.status)] = {"description": "Done"}
    else:
        schema = components.ref(operation.answer, load=False)
        if operation.many:
            schema = {
                "type": "object",
                "required": ["values", "nextCursor"],
                "properties": {
                    "values": {"type": "array", "items": schema},
                    "nextCursor": {
                        "type": "string",
                        "nullable": True,
                        "description": "pass as `cursor` for the next page",
                    },
                },
            }
        answer[str(operation.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for status in operation.errors:
        answer[str(status)] = {"description": _REASONS[status], **error}
    return answer


_REASONS = {
    400: "Not JSON, or not the expected shape",
    401: "Not authenticated as an installation",
    403: "Authenticated, but not allowed to do this (e.g. a supplier rating itself)",
    404: "No such resource on this site",
    409: "A duplicate, or a move the state machine does not allow",
    422: "Fields that break a rule; `details` names each",
    502: "Jira or Confluence failed the call the request needed; the message says how",
}


def _title(path: str) -> str:
    words = [w.strip("{}") for w in path.split("/") if w]
    return "".join(w[:1].upper() + w[1:] for w in words)


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Public: the description of the API, not data."""
    return jsonify(document(current_app.config["BASE_URL"]))
