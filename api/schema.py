"""Additions to the generated OpenAPI schema (drf-spectacular's postprocessing hook)."""

ERROR = {
    "type": "object",
    "description": "`detail` with the reason, or each refused filter with its messages.",
    "additionalProperties": True,
}
# Every operation may answer these besides its 200: a refused filter, no valid token, a
# record or year outside the token's scope, too many requests.
ERRORS = {
    "400": "A filter or page parameter is not valid; each with its message.",
    "401": "No valid token (missing, unknown, revoked, or its account inactive).",
    "404": "No such record, page or year for this token.",
    "429": "Too many requests from this token; wait and try again.",
}


def document_errors(result, generator, request, public):
    """Add the error answers to every operation, so that clients (and schemathesis) know them."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
