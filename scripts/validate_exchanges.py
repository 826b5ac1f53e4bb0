#!/usr/bin/env python3
"""Checks recorded HTTP exchanges against the OpenAPI 3.1 document.

    .deps/venv-bench/bin/python scripts/validate_exchanges.py DOCUMENT PATH [PATH ...]

DOCUMENT is the OpenAPI document (YAML or JSON). Each PATH is a JSON-lines file, or a
folder whose *.jsonl files (at any depth) are read. One line is one exchange:

    {"test": "...", "method": "GET", "uri": "/api/v1/images?limit=2",
     "request_content_type": null, "status": 200,
     "content_type": "application/json; charset=utf-8", "body_base64": "..."}

For each exchange: the path and method must match a documented operation (path
templates with {param}); the status must be documented for it (exactly, as 4XX, or as
default); the response's media type (without parameters) must be documented for that
status; a JSON body must validate against its schema (JSON Schema 2020-12, the dialect
of OpenAPI 3.1, with $refs into the document and formats checked). A path or method the
document does not have is fine when the answer is 404: it is skipped. With
--skip-options, CORS preflights (OPTIONS) are skipped as well.

Each failure is printed as one line `test | METHOD uri | status | what is wrong`, then
`validated N responses, F failures`. The exit status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote, unquote, urlsplit

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
DOCUMENT_URI = "urn:argus:openapi-document"


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def media_type(content_type: str | None) -> str | None:
    """`application/json; charset=utf-8` -> `application/json`."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    parameters: int
    literal: int
    # status key ("200", "4XX", "default") -> (response object, JSON pointer to it)
    responses: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)


@dataclass
class Failure:
    test: str
    method: str
    uri: str
    status: Any
    problem: str

    def line(self) -> str:
        return f"{self.test} | {self.method} {self.uri} | {self.status} | {self.problem}"


class Document:
    """The OpenAPI document, its operations and a validator for its schemas."""

    def __init__(self, contents: dict[str, Any]):
        if not isinstance(contents, dict) or "paths" not in contents:
            raise ValueError("not an OpenAPI document: no paths")
        self.contents = contents
        self.registry = Registry().with_resource(
            DOCUMENT_URI, Resource.from_contents(contents, default_specification=DRAFT202012))
        self.bases = self._server_paths()
        self.operations: list[Operation] = []
        for template, item in (contents.get("paths") or {}).items():
            item, _ = self.resolve(item, "/paths/" + escape_pointer(template))
            for method in METHODS:
                if method not in item:
                    continue
                pointer = f"/paths/{escape_pointer(template)}/{method}"
                op = Operation(method.upper(), template, *self._compile(template))
                for status, response in (item[method].get("responses") or {}).items():
                    op.responses[str(status).upper() if str(status) != "default" else "default"] = self.resolve(
                        response, f"{pointer}/responses/{escape_pointer(str(status))}")
                self.operations.append(op)
        self._validators: dict[str, Draft202012Validator] = {}

    @classmethod
    def load(cls, path: Path) -> "Document":
        with path.open(encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))

    def _server_paths(self) -> list[str]:
        """The path parts of the server URLs: '' for `/` or a server at the root."""
        bases = set()
        for server in self.contents.get("servers") or [{"url": "/"}]:
            bases.add(urlsplit(server.get("url", "/")).path.rstrip("/"))
        return sorted(bases, key=len, reverse=True)

    @staticmethod
    def _compile(template: str) -> tuple[re.Pattern[str], int, int]:
        regex, parameters, literal, position = "", 0, 0, 0
        for match in re.finditer(r"\{[^{}/]+\}", template):
            regex += re.escape(template[position:match.start()]) + "[^/]+"
            literal += match.start() - position
            parameters += 1
            position = match.end()
        regex += re.escape(template[position:])
        literal += len(template) - position
        return re.compile(regex + r"\Z"), parameters, literal

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follows Reference Objects to their target and its JSON pointer."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"cannot follow $ref {ref!r} at {pointer}")
            seen.add(ref)
            target: Any = self.contents
            for token in ref[2:].split("/"):
                token = unquote(token).replace("~1", "/").replace("~0", "~")
                target = target[int(token)] if isinstance(target, list) else target[token]
            node, pointer = target, ref[1:]
        return node, pointer

    def strip_base(self, path: str) -> str | None:
        for base in self.bases:
            if base == "":
                return path
            if path == base or path.startswith(base + "/"):
                return path[len(base):] or "/"
        return None

    def match(self, method: str, path: str) -> tuple[Operation | None, bool]:
        """The operation for method and path, and whether any template matches the path."""
        relative = self.strip_base(path)
        if relative is None:
            return None, False
        candidates = [op for op in self.operations if op.pattern.match(relative)]
        with_method = [op for op in candidates if op.method == method]
        if not with_method:
            return None, bool(candidates)
        # The most specific template wins: /users/me before /users/{id}.
        return min(with_method, key=lambda op: (op.parameters, -op.literal)), True

    def validator(self, schema_pointer: str) -> Draft202012Validator:
        if schema_pointer not in self._validators:
            self._validators[schema_pointer] = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#{quote(schema_pointer, safe='/~')}"}, registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[schema_pointer]


def response_for(op: Operation, status: int) -> tuple[dict[str, Any], str] | None:
    code = str(status)
    for key in (code, code[0] + "XX", "default"):
        if key in op.responses:
            return op.responses[key]
    return None


def content_for(content: dict[str, Any], media: str) -> tuple[str, Any] | None:
    """The documented media type entry for `media`, exact first, then wildcards."""
    keys = {media_type(key): key for key in content}
    kind = media.split("/", 1)[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        if candidate in keys:
            return keys[candidate], content[keys[candidate]]
    return None


def schema_errors(document: Document, schema_pointer: str, instance: Any, limit: int = 3) -> list[str]:
    errors = sorted(document.validator(schema_pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
    out = []
    for error in errors[:limit]:
        where = "/" + "/".join(str(part) for part in error.absolute_path)
        out.append(f"at {where}: {error.message}"[:300])
    if len(errors) > limit:
        out.append(f"and {len(errors) - limit} more")
    return out


class Checker:
    def __init__(self, document: Document, skip_options: bool = False):
        self.document = document
        self.skip_options = skip_options
        self.validated = 0
        self.skipped = 0
        self.failures: list[Failure] = []

    def check(self, exchange: Any, origin: str) -> None:
        if not isinstance(exchange, dict):
            self.failures.append(Failure(origin, "?", "?", "?", "the line is not a JSON object"))
            return
        test = str(exchange.get("test") or origin)
        method = str(exchange.get("method") or "?").upper()
        uri = str(exchange.get("uri") or "?")
        status = exchange.get("status")

        def fail(problem: str) -> None:
            self.failures.append(Failure(test, method, uri, status, problem))

        missing = [name for name in ("method", "uri", "status") if exchange.get(name) is None]
        if missing:
            fail("the record has no " + ", ".join(missing))
            return
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            fail(f"the record's status {status!r} is not an HTTP status code")
            return
        path = urlsplit(uri).path or "/"
        op, path_known = self.document.match(method, path)
        if op is None:
            if status == 404 or (self.skip_options and method == "OPTIONS"):
                self.skipped += 1
                return
            self.validated += 1
            fail(f"{method} is not documented for this path" if path_known else "the path is not documented")
            return
        self.validated += 1
        documented = response_for(op, status)
        if documented is None:
            fail(f"status {status} is not documented for {op.method} {op.template} "
                 f"(documented: {', '.join(sorted(op.responses))})")
            return
        response, pointer = documented
        try:
            body = base64.b64decode(exchange.get("body_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            fail("body_base64 is not valid base64")
            return
        content = response.get("content") or {}
        media = media_type(exchange.get("content_type"))
        if not content:
            if body:
                fail(f"a body of {len(body)} bytes ({media or 'no Content-Type'}) where the document has no content")
            return
        if media is None:
            if body or status not in (204, 304):
                fail(f"no Content-Type; the document has {', '.join(sorted(content))}")
            return
        entry = content_for(content, media)
        if entry is None:
            fail(f"Content-Type {media} is not documented for {status} (documented: {', '.join(sorted(content))})")
            return
        key, media_object = entry
        if not is_json(media) or not isinstance(media_object, dict) or "schema" not in media_object:
            return
        try:
            instance = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            fail(f"the {media} body is not valid JSON: {error}")
            return
        schema_pointer = f"{pointer}/content/{escape_pointer(key)}/schema"
        problems = schema_errors(self.document, schema_pointer, instance)
        if problems:
            fail("body does not match the schema: " + "; ".join(problems))


def exchange_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.jsonl") if p.is_file())
        else:
            yield path


def run(document_path: Path, paths: list[Path], skip_options: bool = False, out=sys.stdout) -> int:
    checker = Checker(Document.load(document_path), skip_options=skip_options)
    files = 0
    for file in exchange_files(paths):
        files += 1
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                origin = f"{file}:{number}"
                try:
                    exchange = json.loads(line)
                except json.JSONDecodeError as error:
                    checker.failures.append(Failure(origin, "?", "?", "?", f"not a JSON line: {error}"))
                    continue
                checker.check(exchange, origin)
    for failure in checker.failures:
        print(failure.line(), file=out)
    if checker.skipped:
        print(f"skipped {checker.skipped} exchanges outside the document (404s"
              f"{' and OPTIONS' if skip_options else ''})", file=out)
    print(f"validated {checker.validated} responses, {len(checker.failures)} failures", file=out)
    if files == 0:
        print("no exchange files found", file=out)
        return 1
    return 1 if checker.failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path, help="the OpenAPI document (YAML or JSON)")
    parser.add_argument("paths", type=Path, nargs="+", help="JSON-lines files, or folders of *.jsonl files")
    parser.add_argument("--skip-options", action="store_true", help="skip OPTIONS requests (CORS preflights)")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.exists():
            parser.error(f"{path} does not exist")
    return run(args.document, args.paths, skip_options=args.skip_options)


if __name__ == "__main__":
    sys.exit(main())
