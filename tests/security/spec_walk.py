"""Walk every operation of the OpenAPI spec: fill its path, query and body from the spec.

Bodies are the smallest JSON that satisfies the operation's schema (required properties
only), unless a route needs a fuller example to get past validation to its ownership
check; routes added later are walked without new code as long as their path parameters
are known (an unknown one fails the walk, naming it).
"""

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def path_params(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    def required_query(self) -> list[dict[str, Any]]:
        return [
            p for p in self.spec.get("parameters", []) if p["in"] == "query" and p.get("required")
        ]

    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return schema if isinstance(schema, dict) else None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations(spec: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]


class Sampler:
    """The smallest valid instance of a JSON schema from the spec (refs resolved)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def sample(self, schema: dict[str, Any], depth: int = 0) -> Any:
        schema = self.resolve(schema)
        for key in ("const", "default"):
            if key in schema and (key == "const" or schema[key] is not None):
                return schema[key]
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [self.resolve(o) for o in schema[key]]
                usable = [o for o in options if o.get("type") != "null"] or options
                return self.sample(usable[0], depth + 1)
        return self._typed(schema, depth)

    def _typed(self, schema: dict[str, Any], depth: int) -> Any:
        kind = schema.get("type", "string")
        if kind == "object":
            props = schema.get("properties", {})
            return {
                name: self.sample(props[name], depth + 1)
                for name in schema.get("required", [])
                if name in props and depth < 12
            }
        if kind == "array":
            count = int(schema.get("minItems", 0))
            return [self.sample(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return schema.get("minimum", 1)
        if kind == "boolean":
            return False
        if schema.get("format") == "email" or "@" in str(schema.get("pattern", "")):
            return "someone@example.com"
        return "x" * max(int(schema.get("minLength", 1)), 8)
