"""The OpenAPI document says what the server really sends: media types and error bodies.

FastAPI describes every answer as `application/json` and every refusal as a 422 with its own
validation schema. kelisim answers TAXII routes in `application/taxii+json;version=2.1` and
refuses with RFC 9457 problem details (400 for invalid input, 401/403/404/409/413/422 from the
domain) or, on TAXII routes, the TAXII error message (TAXII 2.1 section 3.6.1). A client
generated from the document, or a fuzzer checking conformance (tests/web/test_api_fuzz.py),
must be able to trust it, so the document is corrected here, once, when it is first built.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kelisim.web.problems import PROBLEM_MEDIA_TYPE, is_taxii

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
JSON = "application/json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "Problem",
    "description": "RFC 9457 problem details; `article` names the Agreement's article applied.",
    "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "article": {"type": "string"}},
}
TAXII_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "title": "TaxiiError", "description": "TAXII 2.1 section 3.6.1.",
    "required": ["title"],
    "properties": {"title": {"type": "string"}, "description": {"type": "string"},
                   "error_id": {"type": "string"}, "error_code": {"type": "string"},
                   "http_status": {"type": "string"}, "external_details": {"type": "string"},
                   "details": {"type": "object"}},
}


def _retype(content: dict[str, Any]) -> dict[str, Any]:
    return {TAXII_MEDIA_TYPE if media == JSON else media: body for media, body in content.items()}


def _correct(operation: dict[str, Any], taxii: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's; invalid input is a 400 problem here
    for answer in responses.values():
        if taxii and "content" in answer:
            answer["content"] = _retype(answer["content"])
    if taxii and "content" in operation.get("requestBody", {}):
        operation["requestBody"]["content"] = _retype(operation["requestBody"]["content"])
    media, ref = ((TAXII_MEDIA_TYPE, "#/components/schemas/TaxiiError") if taxii
                  else (PROBLEM_MEDIA_TYPE, "#/components/schemas/Problem"))
    responses["4XX"] = {"description": "Refused: " + ("a TAXII error message" if taxii
                                                      else "a problem detail"),
                        "content": {media: {"schema": {"$ref": ref}}}}


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            for path, operations in schema.get("paths", {}).items():
                for operation in operations.values():
                    _correct(operation, taxii=is_taxii(path))
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            schemas["Problem"] = PROBLEM_SCHEMA
            schemas["TaxiiError"] = TAXII_ERROR_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
