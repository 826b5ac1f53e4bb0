"""Unit tests of scripts/validate_exchanges.py: recorded exchanges against an OpenAPI document.

    .deps/venv-bench/bin/python -m unittest discover -s bench/tests -v
A small document written here, plus one check against the server's own document.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import validate_exchanges  # noqa: E402

DOCUMENT = """
openapi: 3.1.0
info: {title: test, version: '1'}
paths:
  /api/v1/things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses:
        '200':
          description: A thing
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        '404': {$ref: '#/components/responses/Error'}
  /api/v1/things/special:
    get:
      responses:
        '200':
          description: Plain text
          content:
            text/plain:
              schema: {type: string}
  /api/v1/things:
    delete:
      responses:
        '204': {description: Gone}
        4XX: {$ref: '#/components/responses/Error'}
components:
  responses:
    Error:
      description: An error
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
  schemas:
    Thing:
      type: object
      required: [id, size, created_at]
      properties:
        id: {type: string, format: uuid}
        size: {type: integer, minimum: 0}
        created_at: {type: string, format: date-time}
    Error:
      type: object
      required: [error]
      properties:
        error: {type: object, required: [code], properties: {code: {type: string}}}
"""

THING = {"id": "6c1f0d2a-1b2c-4d3e-8f90-0a1b2c3d4e5f", "size": 3, "created_at": "2026-11-23T18:05:54Z"}


def exchange(method="GET", uri="/api/v1/things/6c1f0d2a-1b2c-4d3e-8f90-0a1b2c3d4e5f", status=200,
             content_type="application/json; charset=utf-8", body: object = THING, test="test"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    return {"test": test, "method": method, "uri": uri, "request_content_type": None, "status": status,
            "content_type": content_type, "body_base64": base64.b64encode(raw).decode()}


class ValidateExchangesTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.document = Path(self.folder.name) / "openapi.yaml"
        self.document.write_text(DOCUMENT)

    def validate(self, *exchanges, document=None, **options):
        records = Path(self.folder.name) / "records" / "run.jsonl"
        records.parent.mkdir(exist_ok=True)
        records.write_text("".join(json.dumps(e) + "\n" for e in exchanges))
        out = io.StringIO()
        code = validate_exchanges.run(document or self.document, [records.parent], out=out, **options)
        return code, out.getvalue().splitlines()

    def assertFailsWith(self, record, text):
        code, lines = self.validate(record)
        self.assertEqual(code, 1, lines)
        self.assertEqual(lines[-1], "validated 1 responses, 1 failures")
        self.assertIn(text, lines[0])
        prefix = f"test | {record['method']} {record['uri']} | {record['status']} | "
        self.assertTrue(lines[0].startswith(prefix), lines)

    def test_a_conforming_exchange_passes(self):
        code, lines = self.validate(exchange(), exchange(status=404, body={"error": {"code": "not_found"}}))
        self.assertEqual((code, lines), (0, ["validated 2 responses, 0 failures"]))

    def test_a_wrong_body_fails(self):
        self.assertFailsWith(exchange(body={**THING, "size": "three"}), "'three' is not of type 'integer'")
        self.assertFailsWith(exchange(body={"id": THING["id"]}), "'size' is a required property")

    def test_formats_are_checked(self):
        self.assertFailsWith(exchange(body={**THING, "created_at": "yesterday"}), "is not a 'date-time'")

    def test_a_body_that_is_not_json_fails(self):
        self.assertFailsWith(exchange(body=b"{not json"), "not valid JSON")

    def test_an_undocumented_status_fails(self):
        self.assertFailsWith(exchange(status=500, body={"error": {"code": "internal"}}), "status 500 is not documented")

    def test_a_wrong_content_type_fails(self):
        self.assertFailsWith(exchange(content_type="text/html"), "Content-Type text/html is not documented for 200")
        self.assertFailsWith(exchange(content_type=None), "no Content-Type")

    def test_status_ranges_and_empty_answers(self):
        gone = exchange(method="DELETE", uri="/api/v1/things", status=204, content_type=None, body=None)
        refused = exchange(method="DELETE", uri="/api/v1/things", status=409, body={"error": {"code": "busy"}})
        self.assertEqual(self.validate(gone, refused)[0], 0)
        with_body = {**gone, "body_base64": base64.b64encode(b"x").decode()}
        self.assertFailsWith(with_body, "where the document has no content")

    def test_literal_paths_win_over_templates(self):
        code, lines = self.validate(exchange(uri="/api/v1/things/special?x=1", content_type="text/plain", body=b"hi"))
        self.assertEqual(code, 0, lines)

    def test_undocumented_paths_pass_only_as_404(self):
        unknown = exchange(uri="/nowhere", status=404, body={"error": {"code": "not_found"}})
        wrong_method = exchange(method="POST", status=404, body={"error": {"code": "not_found"}})
        code, lines = self.validate(unknown, wrong_method)
        self.assertEqual(code, 0, lines)
        self.assertEqual(lines[-1], "validated 0 responses, 0 failures")
        self.assertFailsWith({**unknown, "status": 200}, "the path is not documented")
        self.assertFailsWith({**wrong_method, "status": 201}, "POST is not documented for this path")

    def test_options_are_skipped_only_when_asked(self):
        preflight = exchange(method="OPTIONS", status=204, content_type=None, body=None)
        self.assertEqual(self.validate(preflight)[0], 1)
        self.assertEqual(self.validate(preflight, skip_options=True)[0], 0)

    def test_the_servers_document(self):
        document = ROOT / "Sources/ArgusServer/APIDocs/openapi.yaml"
        live = exchange(uri="/health/live", body={"status": "ok"})
        error = {"error": {"code": "invalid_parameter", "message": "limit must be an integer", "request_id": "r"}}
        listed = exchange(uri="/api/v1/images?limit=0", status=400, body=error)
        asset = exchange(uri="/docs/assets/swagger-ui.css", content_type="text/css; charset=utf-8", body=b"a{}")
        code, lines = self.validate(live, listed, asset, document=document)
        self.assertEqual((code, lines), (0, ["validated 3 responses, 0 failures"]))
        code, lines = self.validate(exchange(uri="/api/v1/users/me", body={"status": "ok"}), document=document)
        self.assertEqual(code, 1)
        self.assertIn("'id' is a required property", lines[0])


if __name__ == "__main__":
    unittest.main()
