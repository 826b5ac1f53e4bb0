/// The OpenAPI 3.1 description of every route the server serves. A test checks it
/// against the router in both directions, and `make test` validates it.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Argus",
    "version": "0.1.0",
    "summary": "Self-hosted computer vision: object detection over HTTP.",
    "license": {"name": "Proprietary"}
  },
  "servers": [{"url": "/"}],
  "tags": [
    {"name": "detection", "description": "Run a detector on an uploaded image."},
    {"name": "operations", "description": "Health, metrics and this documentation."}
  ],
  "paths": {
    "/api/v1/detect": {
      "post": {
        "tags": ["detection"],
        "operationId": "detect",
        "summary": "Detect objects in one image",
        "parameters": [
          {"name": "model", "in": "query", "schema": {"type": "string", "default": "yolov3-tiny"}, "description": "Model id (argus models list)."},
          {"name": "conf", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.25}, "description": "Minimum confidence."},
          {"name": "iou", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.45}, "description": "IoU threshold of non-maximum suppression."},
          {"name": "classes", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated class names or indices to keep."},
          {"name": "max_det", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 300}, "description": "Most detections returned."},
          {"name": "agnostic", "in": "query", "schema": {"type": "boolean", "default": false}, "description": "Suppress overlaps across classes."}
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["image"],
                "properties": {"image": {"type": "string", "contentMediaType": "application/octet-stream", "description": "JPEG, PNG, WebP or BMP."}}
              }
            }
          }
        },
        "responses": {
          "200": {"description": "Detections", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DetectResponse"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/Error"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/health/live": {
      "get": {
        "tags": ["operations"], "operationId": "healthLive", "summary": "The process answers",
        "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}
      }
    },
    "/health/ready": {
      "get": {
        "tags": ["operations"], "operationId": "healthReady", "summary": "The default model is loaded",
        "responses": {
          "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "503": {"description": "Still loading", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
        }
      }
    },
    "/health": {
      "get": {
        "tags": ["operations"], "operationId": "health", "summary": "Each dependency with its status and timing",
        "responses": {"200": {"description": "Report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HealthReport"}}}}}
      }
    },
    "/metrics": {
      "get": {
        "tags": ["operations"], "operationId": "metrics", "summary": "Prometheus metrics",
        "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["operations"], "operationId": "openapi", "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/docs": {
      "get": {
        "tags": ["operations"], "operationId": "docs", "summary": "Interactive API documentation (Swagger UI)",
        "responses": {"200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}}
      }
    },
    "/docs/assets/{file}": {
      "get": {
        "tags": ["operations"], "operationId": "docsAsset", "summary": "Static files of the documentation page",
        "parameters": [{"name": "file", "in": "path", "required": true, "schema": {"type": "string", "enum": ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "init.js"]}}],
        "responses": {
          "200": {"description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string"}}}},
          "404": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    }
  },
  "components": {
    "headers": {
      "RateLimitLimit": {"description": "Requests the client may make at once on this route group.", "schema": {"type": "integer"}},
      "RateLimitRemaining": {"description": "Requests left right now.", "schema": {"type": "integer"}},
      "RateLimitReset": {"description": "Seconds until the bucket is full again.", "schema": {"type": "integer"}},
      "RequestId": {"description": "The request id (the client's X-Request-ID when sane).", "schema": {"type": "string"}}
    },
    "responses": {
      "Error": {
        "description": "The single error shape of every failure",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
          "Retry-After": {"description": "Seconds to wait (429 and 503).", "schema": {"type": "integer"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["code", "message", "request_id"],
            "properties": {
              "code": {"type": "string", "examples": ["invalid_image"]},
              "message": {"type": "string"},
              "request_id": {"type": "string"}
            }
          }
        }
      },
      "Box": {
        "type": "object",
        "required": ["x1", "y1", "x2", "y2"],
        "properties": {"x1": {"type": "number"}, "y1": {"type": "number"}, "x2": {"type": "number"}, "y2": {"type": "number"}},
        "description": "Corners in the image's pixels (EXIF orientation applied)."
      },
      "Detection": {
        "type": "object",
        "required": ["label", "class_id", "confidence", "bbox"],
        "properties": {
          "label": {"type": "string"},
          "class_id": {"type": "integer", "minimum": 0},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1},
          "bbox": {"$ref": "#/components/schemas/Box"}
        }
      },
      "DetectResponse": {
        "type": "object",
        "required": ["model", "image", "detections", "timings_ms"],
        "properties": {
          "model": {"type": "string"},
          "image": {"type": "object", "required": ["width", "height"], "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}}},
          "detections": {"type": "array", "items": {"$ref": "#/components/schemas/Detection"}},
          "timings_ms": {
            "type": "object",
            "required": ["decode", "preprocess", "inference", "postprocess", "total"],
            "properties": {
              "decode": {"type": "number"}, "preprocess": {"type": "number"}, "inference": {"type": "number"},
              "postprocess": {"type": "number"}, "total": {"type": "number"}
            }
          }
        }
      },
      "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
      "HealthReport": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
          "status": {"type": "string", "enum": ["ok", "degraded"]},
          "checks": {
            "type": "object",
            "additionalProperties": {
              "type": "object",
              "required": ["status", "ms"],
              "properties": {
                "status": {"type": "string", "enum": ["ok", "failing"]},
                "ms": {"type": "number"},
                "detail": {"type": "object", "additionalProperties": {"type": "string"}}
              }
            }
          }
        }
      }
    }
  }
}
"""#
}
