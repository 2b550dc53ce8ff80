"""docs/schema loaded as validators, and what a request or a response breaks of them.

Shared by validate_messages.py (the C++ serve's own tests) and validate_replies.py (every
port's replies in the conformance matrix). Needs Debian's python3-jsonschema.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("the jsonschema module is missing (Debian: apt-get install python3-jsonschema)")


def load_schemas(directory):
    """{"request": validator, "readFrames.result": validator, ...} for every *.schema.json."""
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[path.name[: -len(".schema.json")]] = jsonschema.Draft202012Validator(schema)
    return schemas


def problems(validator, instance):
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)]


def request_problems(schemas, message):
    found = problems(schemas["request"], message)
    if found:
        return found
    params_schema = schemas.get(message["method"] + ".params")
    if params_schema is None:
        return [f"no params schema for method {message['method']}"]
    return problems(params_schema, message.get("params", {}))


def response_problems(schemas, message, method):
    """Problems of a response to `method` (None: the request was no valid call of a known method)."""
    found = problems(schemas["response"], message)
    if found:
        return found
    if "error" in message:
        return problems(schemas["error"], message["error"])
    if method is None:
        return ["a result that answers no known request"]
    return problems(schemas[method + ".result"], message["result"])
