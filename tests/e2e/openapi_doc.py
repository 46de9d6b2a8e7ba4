"""docs/openapi.yaml as a test oracle: the documented response of an operation, and checks of
real answers against it.

OpenAPI 3.1 schemas are JSON Schema 2020-12. A schema is checked with the document's
`components` beside it at its root, so that every "#/components/..." reference resolves
locally. Formats are not asserted; the document gives a pattern wherever a format matters
(times, sizes).
"""

import re
from pathlib import Path

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCUMENT_PATH = REPO / "docs" / "openapi.yaml"
DOCUMENT = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
JSON = "application/json"


def resolve(node):
    """Follows a local "$ref" (possibly several) to the object it names."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are used: {ref}"
        node = DOCUMENT
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def template_of(path):
    """The documented path template that `path` (no query) falls under, or None."""
    for template in DOCUMENT["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


def documented_response(method, path, status):
    """The response object documented for this request and status (an AssertionError names
    what is missing)."""
    template = template_of(path.split("?")[0])
    if template is None:
        assert status == 404, f"{path} is not documented"
        return resolve({"$ref": "#/components/responses/RouteNotFound"})
    operation = DOCUMENT["paths"][template].get(method.lower())
    if operation is None and status == 405:
        # A method the path does not take: its 405 is documented with the methods it does take.
        operation = next((op for _, t, op in all_operations()
                          if t == template and "405" in op["responses"]), None)
    assert operation is not None, f"{method} {template} is not documented"
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {template} documents no {status} (only {sorted(responses)})")
    return resolve(responses[str(status)])


def validator(schema):
    # The components ride along at the root, where "#/components/..." points.
    return jsonschema.Draft202012Validator(dict(schema, components=DOCUMENT["components"]))


def schema_errors(schema, value):
    """Every way `value` breaks `schema` (a schema object from the document), as text."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator(schema).iter_errors(value)]


def check_response(method, path, status, headers, body, content_type=JSON):
    """Asserts that a real answer is one the document allows: the status is documented, the
    body matches the schema of its media type, and the documented headers are there (with the
    documented constant value, for Allow)."""
    response = documented_response(method, path, status)
    for name, header in (response.get("headers") or {}).items():
        header = resolve(header)
        value = headers.get(name)
        if header.get("required"):
            assert value is not None, f"{method} {path} {status}: no {name} header"
        const = header.get("schema", {}).get("const")
        if value is not None and const is not None:
            assert value == const, f"{method} {path} {status}: {name} is {value!r}"

    content = response.get("content")
    if body is None or method == "HEAD":
        return response
    assert content and content_type in content, (
        f"{method} {path} {status}: {content_type} is not documented")
    errors = schema_errors(content[content_type]["schema"], body)
    assert not errors, f"{method} {path} {status} does not match the document:\n" + "\n".join(
        errors[:20]) + f"\nbody: {str(body)[:2000]}"
    return response


def check_request(method, path, body):
    """Asserts that a request body the service accepted is one the document allows."""
    template = template_of(path.split("?")[0])
    operation = DOCUMENT["paths"][template][method.lower()]
    request_body = resolve(operation.get("requestBody"))
    assert request_body, f"{method} {template} documents no request body"
    errors = schema_errors(request_body["content"][JSON]["schema"], body)
    assert not errors, f"{method} {path}: accepted body breaks the document: {errors} {body}"


def is_error_documented(method, path, status, message):
    """Whether {"success": false, "error": message} is a documented answer."""
    try:
        response = documented_response(method, path, status)
    except AssertionError:
        return False
    content = response.get("content", {})
    return JSON in content and not schema_errors(content[JSON]["schema"],
                                                 {"success": False, "error": message})


def enumerated_messages(schema, seen=None):
    """The fixed error messages (const and enum values) a schema of the document allows."""
    seen = set() if seen is None else seen
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return seen
    error = schema.get("properties", {}).get("error")
    for part in [error] if error else []:
        _messages_of(resolve(part), seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            enumerated_messages(sub, seen)
    return seen


def _messages_of(schema, seen):
    if "const" in schema:
        seen.add(schema["const"])
    seen.update(schema.get("enum", []))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _messages_of(resolve(sub), seen)


def documented_messages(template, status):
    """The fixed error messages documented for one path (any of its operations) and status."""
    messages = set()
    for _, t, operation in all_operations():
        response = operation["responses"].get(str(status))
        if t == template and response is not None:
            content = resolve(response).get("content", {})
            if JSON in content:
                enumerated_messages(content[JSON]["schema"], messages)
    return messages


def all_operations():
    for template, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch", "head", "options"):
                yield method.upper(), template, operation
