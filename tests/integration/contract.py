"""Every response the REST tests receive is checked against /v1/openapi.json (issue 13): the
status must be one the operation lists, and the body must match the schema documented for
that status (required fields, types, formats, enums — and for problems, `code` among the
operation's codes for that status). A mismatch fails the test that got the response.

The server is the one source of the document, so this holds the document to what the
server does: a status, field or code the server answers without documenting it is a bug.
"""
import json
import re
import threading

import requests
from jsonschema import Draft202012Validator, FormatChecker, RefResolver

_lock = threading.Lock()
_contracts = {}

# The platform's one spelling of an instant: RFC 3339, UTC, whole seconds (issue 13, item 10).
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
FORMATS = FormatChecker()


@FORMATS.checks("date-time")
def _instant(value):
    return not isinstance(value, str) or bool(_INSTANT.match(value))


def empty_strings(doc, path=""):
    """Where a body holds "": an unset optional field is absent, never an empty string."""
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in empty_strings(v, f"{path}/{k}")]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in empty_strings(v, f"{path}/{i}")]
    return [path or "(body)"] if doc == "" else []


class ContractViolation(AssertionError):
    pass


class Contract:
    def __init__(self, spec):
        self.spec = spec
        self.resolver = RefResolver(base_uri="", referrer=spec)
        self.ops = []
        for template, item in spec["paths"].items():
            rx = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[a-z_]+\}", "", template))
            self.ops.append((literal, re.compile(rx), template, item))
        # The most literal template first: /v1/practitioners/me before /v1/practitioners/{id}.
        self.ops.sort(key=lambda o: -o[0])
        self._validators = {}

    def operation(self, method, path):
        for _, rx, template, item in self.ops:
            if rx.match(path) and method.lower() in item:
                return template, item[method.lower()]
        return None, None

    def validator(self, schema_key, schema):
        v = self._validators.get(schema_key)
        if v is None:
            v = Draft202012Validator(schema, resolver=self.resolver, format_checker=FORMATS)
            self._validators[schema_key] = v
        return v

    def check(self, method, path, status, content_type, body):
        """A list of what the response breaks ([] when it follows the document)."""
        if method == "OPTIONS" or path in ("/ws",) or not (path.startswith("/v1/") or
                                                           path.startswith("/.well-known/") or
                                                           path in ("/health", "/ready")):
            return []  # the web app's files, CORS preflights: not API operations
        template, op = self.operation(method, path)
        if op is None:
            # An unknown path or method: the BFF's 404/405 problem, documented globally.
            return [] if status in (404, 405) else [f"{method} {path}: no such operation in the document"]
        responses = op.get("responses", {})
        entry = responses.get(str(status))
        if entry is None:
            return [f"{method} {template}: status {status} is not documented "
                    f"(documented: {', '.join(sorted(responses))}); body: {body[:300]!r}"]
        if "$ref" in entry:  # a shared problem response (components/responses)
            entry = self.spec["components"]["responses"][entry["$ref"].split("/")[-1]]
        media = (content_type or "").split(";")[0].strip()
        content = entry.get("content", {})
        if not content:
            return []
        if media not in content:
            return [f"{method} {template} {status}: content type {media!r} is not documented "
                    f"({', '.join(content)})"]
        schema = content[media].get("schema")
        if schema is None or not media.endswith("json"):
            return []
        try:
            doc = json.loads(body)
        except ValueError:
            return [f"{method} {template} {status}: body is not JSON: {body[:200]!r}"]
        v = self.validator((template, method, str(status), media), schema)
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        out = [f"{method} {template} {status}: {'/'.join(str(p) for p in e.absolute_path) or '(body)'}: "
               f"{e.message[:300]}" for e in errors[:5]]
        out += [f"{method} {template} {status}: {p} is an empty string (leave an unset field out)"
                for p in empty_strings(doc)[:5]]
        return out


def contract_for(base):
    with _lock:
        c = _contracts.get(base)
        if c is None:
            spec = requests.get(base + "/v1/openapi.json", timeout=30).json()
            c = _contracts[base] = Contract(spec)
        return c


def checking_hook(base):
    """A requests response hook that raises ContractViolation on any mismatch."""
    def hook(r, *args, **kwargs):
        if not r.url.startswith(base):
            return r
        path = r.url[len(base):].split("?")[0]
        problems = contract_for(base).check(r.request.method, path, r.status_code,
                                            r.headers.get("Content-Type"), r.content)
        if problems:
            raise ContractViolation("the response does not follow /v1/openapi.json:\n  " + "\n  ".join(problems))
        return r
    return hook
