"""Small builders for the JSON Schema pieces the document repeats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
# Flags as clients send them: 1/0, true/false, yes/no, on/off.
FLAG: Schema = {"type": "string", "enum": ["1", "0", "true", "false"]}
# Money in the hub currency, as a decimal number (never through a float on the hub's side).
AMOUNT: Schema = {"type": "number"}
# Money or counts printed as text ("10.00").
AMOUNT_TEXT: Schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}


def words(values: Iterable[str]) -> Schema:
    return {"type": "string", "enum": sorted(set(values))}


def obj(required: Iterable[str] = (), **properties: Schema) -> Schema:
    """An object with these properties; others may appear (clients ignore unknown fields)."""
    schema: Schema = {"type": "object", "properties": properties}
    needed = list(required)
    if needed:
        schema["required"] = needed
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def one_of(*schemas: Schema) -> Schema:
    return {"anyOf": list(schemas)}


def map_of(values: Schema) -> Schema:
    return {"type": "object", "additionalProperties": values}


@dataclass(frozen=True)
class Param:
    """A query parameter (also accepted in a form or JSON body on POST)."""

    name: str
    schema: Schema
    description: str
    required: bool = False
    example: Any = None

    def openapi(self) -> Schema:
        out: Schema = {
            "name": self.name,
            "in": "query",
            "required": self.required,
            "description": self.description,
            "schema": self.schema,
        }
        if self.example is not None:
            out["example"] = self.example
        return out


@dataclass(frozen=True)
class MethodDoc:
    """One method: what it does, what it reads, what it answers when it succeeds, and the
    error words it typically gives (any word of the dialect's enum may appear)."""

    summary: str
    params: tuple[Param, ...] = ()
    answer: Schema = field(default_factory=lambda: {"type": "object"})
    typical_words: tuple[str, ...] = ()
    public: bool = False
