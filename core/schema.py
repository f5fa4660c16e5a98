"""OpenAPI post-processing: every operation documents the common error responses."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "code", "errors"],
}

ERROR_RESPONSES = {
    "400": "The input is not valid; `errors` lists the problems per field.",
    "401": "Missing, invalid or expired access token.",
    "403": "Your role may not do this.",
    "404": "Not found (or not visible to you).",
    "405": "Method not allowed.",
    "406": "The requested format is not available.",
    "413": "The request is too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests; see Retry-After.",
    "503": "A service this request needs is unavailable; try again shortly.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
