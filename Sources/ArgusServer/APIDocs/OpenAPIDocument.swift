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
    {"name": "accounts", "description": "Sign-up, sign-in, tokens, the caller's own account and API keys."},
    {"name": "admin", "description": "Account administration: an admin account with the admin scope."},
    {"name": "detection", "description": "Run a detector on an uploaded image."},
    {"name": "images", "description": "Stored images: upload with tasks, list, read, delete; their files, renderings and objects; signed file links."},
    {"name": "circles", "description": "Find circles in an uploaded image, in process or on an Open Inference Protocol model server."},
    {"name": "history", "description": "The caller's task runs, statistics and exports."},
    {"name": "operations", "description": "Health, metrics and this documentation."}
  ],
  "paths": {
    "/api/v1/detect": {
      "post": {
        "tags": ["detection"],
        "operationId": "detect",
        "summary": "Detect objects in one image",
        "description": "Needs a credential with the `write` scope (an access token or an API key). Anonymous calls are accepted only when the server runs with ARGUS_ALLOW_ANONYMOUS=true. The image is not kept; a call made with a credential is recorded in the caller's history (GET /api/v1/detect/history).",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
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
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error", "description": "`payload_too_large`: the image part is over ARGUS_MAX_UPLOAD_BYTES, or the body over that plus 64 KiB"},
          "415": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error", "description": "`image_too_large` (width or height above ARGUS_MAX_IMAGE_SIDE), `image_too_small` (below ARGUS_MIN_IMAGE_SIDE), `invalid_image` (truncated or corrupt); the message gives the numbers"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/images": {
      "post": {
        "tags": ["images"], "operationId": "uploadImage", "summary": "Upload and keep an image, and run tasks on it",
        "description": "Needs the `write` scope (never anonymous). Multipart field `file` holds one JPEG, PNG, WebP or BMP. The type comes from the bytes; the file name is kept as its last path component without control characters (at most 200 characters). Width and height must be from ARGUS_MIN_IMAGE_SIDE to ARGUS_MAX_IMAGE_SIDE after EXIF orientation. GPS, EXIF, XMP, IPTC and PNG text metadata are stripped from the stored copy (a JPEG keeps a minimal EXIF with only its orientation tag). `tasks` (query or form field) picks what runs: `detect` (default), `circles`, `detect,circles`, or `none`. Every option below may also be sent as a form field; a query parameter wins over a form field of the same name, and any other name is 400 `invalid_parameter`. The same bytes uploaded again by the same user answer 200 with `duplicate: true` and the first upload's record and objects: nothing is stored or run again. Each task run goes to the caller's history. In the inference rate-limit group.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Tasks"},
          {"$ref": "#/components/parameters/Model"},
          {"$ref": "#/components/parameters/Conf"},
          {"$ref": "#/components/parameters/Iou"},
          {"$ref": "#/components/parameters/Classes"},
          {"$ref": "#/components/parameters/MaxDet"},
          {"$ref": "#/components/parameters/Agnostic"},
          {"$ref": "#/components/parameters/MinRadius"},
          {"$ref": "#/components/parameters/MaxRadius"},
          {"$ref": "#/components/parameters/MinDist"},
          {"$ref": "#/components/parameters/EdgeThreshold"},
          {"$ref": "#/components/parameters/AccumulatorThreshold"},
          {"$ref": "#/components/parameters/CircleMinConfidence"},
          {"$ref": "#/components/parameters/MaxCircles"}
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                  "file": {"type": "string", "contentMediaType": "application/octet-stream", "description": "The image: JPEG, PNG, WebP or BMP, at most ARGUS_MAX_UPLOAD_BYTES."},
                  "tasks": {"type": "string", "examples": ["detect,circles"], "description": "As the query parameter `tasks`."},
                  "model": {"type": "string"},
                  "conf": {"type": "number", "minimum": 0, "maximum": 1},
                  "iou": {"type": "number", "minimum": 0, "maximum": 1},
                  "classes": {"type": "string"},
                  "max_det": {"type": "integer", "minimum": 1, "maximum": 1000},
                  "agnostic": {"type": "boolean"},
                  "min_radius": {"type": "integer", "minimum": 1},
                  "max_radius": {"type": "integer", "minimum": 0},
                  "min_dist": {"type": "number", "minimum": 0},
                  "edge_threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                  "accumulator_threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                  "min_confidence": {"type": "number", "minimum": 0, "maximum": 1},
                  "max_circles": {"type": "integer", "minimum": 1, "maximum": 1000}
                },
                "description": "Text fields (parts without a file name, at most 4096 bytes) other than `file` are read as options, like the query parameters."
              }
            }
          }
        },
        "responses": {
          "201": {"description": "Stored; the tasks ran. `duplicate` is false and `results` has one entry per task", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Image"}}}},
          "200": {"description": "The caller already uploaded these bytes: the first upload's record with `duplicate: true` and its `objects`; nothing ran", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Image"}}}},
          "400": {"$ref": "#/components/responses/Error", "description": "`invalid_parameter`, `unknown_model`, `empty_body`, `invalid_multipart`, `missing_file` (no field `file`), `too_many_files`, `empty_file`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error", "description": "`payload_too_large`: the file is over ARGUS_MAX_UPLOAD_BYTES, or the body over that plus 64 KiB"},
          "415": {"$ref": "#/components/responses/Error", "description": "`unsupported_media_type`: the body is not multipart/form-data, or the file is not JPEG, PNG, WebP or BMP (the message names the type found)"},
          "422": {"$ref": "#/components/responses/Error", "description": "`image_too_large` (width or height above ARGUS_MAX_IMAGE_SIDE), `image_too_small` (below ARGUS_MIN_IMAGE_SIDE), `invalid_image` (truncated or corrupt); the message gives the numbers"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "502": {"$ref": "#/components/responses/Error", "description": "`circles_backend_failed`: the remote circle detector (ARGUS_CIRCLES_BACKEND=remote) failed"},
          "503": {"$ref": "#/components/responses/Error", "description": "`busy` or `model_unavailable`"}
        }
      },
      "get": {
        "tags": ["images"], "operationId": "listImages", "summary": "The caller's images, newest first",
        "description": "Needs the `read` scope. Only the caller's own images, admins included. Object filters (`label`, `min_confidence`, `has_objects=true`) keep images with at least one object that meets all of them at once. `has_objects=false` keeps images without objects, and is ignored when `label` or `min_confidence` is given. Pages are keyed by (created_at, id): pass `next_cursor` as `cursor`, with the same filters, for the next page; it is left out on the last page. Items carry `object_count` but not `objects`.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Limit"},
          {"$ref": "#/components/parameters/Cursor"},
          {"name": "label", "in": "query", "schema": {"type": "string"}, "description": "Images with an object of this label (exact match)."},
          {"name": "min_confidence", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1}, "description": "Images with an object of at least this confidence."},
          {"name": "since", "in": "query", "schema": {"type": "string"}, "examples": {"date": {"value": "2026-11-23"}, "dateTime": {"value": "2026-11-23T10:00:00Z"}}, "description": "Uploaded at or after: an RFC 3339 date-time or a date (midnight UTC)."},
          {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "Uploaded before (exclusive), in the form of `since`."},
          {"name": "has_objects", "in": "query", "schema": {"type": "boolean"}, "description": "true: images with at least one object; false: images without any."}
        ],
        "responses": {
          "200": {"description": "One page", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImagePage"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/images/{id}": {
      "get": {
        "tags": ["images"], "operationId": "getImage", "summary": "One image with its objects",
        "description": "Needs the `read` scope. The caller's image, or any image for an admin; another user's image answers 404 like a missing one. Carries `objects` (best first) and `object_count`, and a fresh signed `file_url`.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The image", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Image"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      },
      "delete": {
        "tags": ["images"], "operationId": "deleteImage", "summary": "Delete an image, its runs and objects",
        "description": "Needs the `write` scope. The caller's image, or any image for an admin; another user's image answers 404. Removes the image's task runs and objects and its cached renderings; the stored file goes when no other image (of any user) uses the same content.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "204": {"$ref": "#/components/responses/NoContent"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/images/{id}/file": {
      "get": {
        "tags": ["images"], "operationId": "getImageFile", "summary": "The stored file",
        "description": "Needs the `read` scope; another user's image answers 404 (admins may read any). The bytes as stored (metadata stripped), with `Content-Disposition: inline` and the file name (ASCII characters only) when there is one.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"$ref": "#/components/responses/ImageFile"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/images/{id}/annotated": {
      "get": {
        "tags": ["images"], "operationId": "getAnnotatedImage", "summary": "The image with its boxes and circles drawn",
        "description": "Needs the `read` scope; another user's image answers 404 (admins may read any). A JPEG (quality 90) of the upright image with every stored box and circle drawn; rendered on first request, then served from the cache.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"$ref": "#/components/responses/JPEG"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/images/{id}/thumbnail": {
      "get": {
        "tags": ["images"], "operationId": "getImageThumbnail", "summary": "A JPEG thumbnail of the image",
        "description": "Needs the `read` scope; another user's image answers 404 (admins may read any). A JPEG (quality 85) of the upright image whose longer side is `size` pixels; a smaller image is not enlarged. Sizes 64, 128, 256, 512 and 1024 are cached; other sizes are made for each request.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Id"},
          {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 32, "maximum": 1024, "default": 256}, "description": "The longer side in pixels."}
        ],
        "responses": {
          "200": {"$ref": "#/components/responses/JPEG"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/images/{id}/objects": {
      "get": {
        "tags": ["images"], "operationId": "listImageObjects", "summary": "The objects found in the image, best first",
        "description": "Needs the `read` scope; another user's image answers 404 (admins may read any). Boxes from `detect` and circles from `circles`, by confidence.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The objects", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ObjectSummary"}}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/images/{id}/objects/{object_id}": {
      "get": {
        "tags": ["images"], "operationId": "getImageObject", "summary": "One object with its geometry",
        "description": "Needs the `read` scope; another user's image answers 404 (admins may read any), and so does an object that is not in this image. Adds the centroid and a radius: a circle's own, or for a box the radius of the circle through its corners.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/ObjectId"}],
        "responses": {
          "200": {"description": "The object", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ObjectDetail"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/circles": {
      "post": {
        "tags": ["circles"], "operationId": "detectCircles", "summary": "Find circles in one image",
        "description": "Needs the `write` scope (never anonymous). Multipart field `image` holds one JPEG, PNG, WebP or BMP, checked as for /api/v1/detect. The options are query parameters only (any other query parameter is 400); form fields besides `image` are ignored. The configured detector answers: in process (Hough transform, `hough`) or a model server speaking the Open Inference Protocol v2 (`remote:<model>`, ARGUS_CIRCLES_BACKEND=remote). The image is not kept; the run goes to the caller's history. In the inference rate-limit group.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"$ref": "#/components/parameters/MinRadius"},
          {"$ref": "#/components/parameters/MaxRadius"},
          {"$ref": "#/components/parameters/MinDist"},
          {"$ref": "#/components/parameters/EdgeThreshold"},
          {"$ref": "#/components/parameters/AccumulatorThreshold"},
          {"$ref": "#/components/parameters/CircleMinConfidence"},
          {"$ref": "#/components/parameters/MaxCircles"}
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
          "200": {"description": "Circles, best first", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CirclesResult"}}}},
          "400": {"$ref": "#/components/responses/Error", "description": "`invalid_parameter`, `empty_body`, `invalid_multipart`, `missing_file` (no field `image`), `too_many_files`, `empty_file`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error", "description": "`payload_too_large`: the file is over ARGUS_MAX_UPLOAD_BYTES, or the body over that plus 64 KiB"},
          "415": {"$ref": "#/components/responses/Error", "description": "`unsupported_media_type`: the body is not multipart/form-data, or the file is not JPEG, PNG, WebP or BMP (the message names the type found)"},
          "422": {"$ref": "#/components/responses/Error", "description": "`image_too_large` (width or height above ARGUS_MAX_IMAGE_SIDE), `image_too_small` (below ARGUS_MIN_IMAGE_SIDE), `invalid_image` (truncated or corrupt); the message gives the numbers"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "502": {"$ref": "#/components/responses/Error", "description": "`circles_backend_failed`: the model server was unreachable, refused, answered something unusable, or its circuit breaker is open"},
          "503": {"$ref": "#/components/responses/Error", "description": "`busy`: every inference slot is taken"}
        }
      }
    },
    "/api/v1/detect/history": {
      "get": {
        "tags": ["history"], "operationId": "detectHistory", "summary": "The caller's task runs, newest first, with their objects",
        "description": "Needs the `read` scope. Only the caller's own runs, admins included: POST /api/v1/detect calls made with a credential, POST /api/v1/circles calls, and the tasks of POST /api/v1/images. Pass `next_cursor` as `cursor` for the next page; it is left out on the last page.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Limit"},
          {"$ref": "#/components/parameters/Cursor"},
          {"name": "task", "in": "query", "schema": {"type": "string", "enum": ["detect", "circles"]}, "description": "Only runs of this task."}
        ],
        "responses": {
          "200": {"description": "One page", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HistoryPage"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/stats": {
      "get": {
        "tags": ["history"], "operationId": "stats", "summary": "The caller's counts and latencies over the last days",
        "description": "Needs the `read` scope. Only the caller's own data, admins included, over the last `days` × 24 hours: runs, images uploaded, objects per label, runs per UTC day and per model, and the inference latency percentiles (nearest rank) per model.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 365, "default": 30}, "description": "The window, in days back from now."}
        ],
        "responses": {
          "200": {"description": "The statistics", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/exports/detections": {
      "get": {
        "tags": ["history"], "operationId": "exportDetections", "summary": "Every object of the caller's runs, streamed",
        "description": "Needs the `read` scope. Only the caller's own objects, admins included, oldest first, streamed page by page (chunked, no Content-Length) as an attachment `argus-detections.csv` or `argus-detections.json`. `csv` and `json` hold every object (also those of /detect and /circles runs, which have no stored image); `coco` holds the stored images and their objects in COCO object-detection form, with COCO's own category ids for COCO classes and 1000 and up for other labels such as `circle`.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "coco"], "default": "json"}, "description": "The export's form."}
        ],
        "responses": {
          "200": {
            "description": "The export",
            "headers": {
              "Content-Disposition": {"description": "`attachment; filename=\"argus-detections.csv\"` (or `.json`).", "schema": {"type": "string"}},
              "X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}
            },
            "content": {
              "application/json": {"schema": {"oneOf": [{"type": "array", "items": {"$ref": "#/components/schemas/ExportObject"}}, {"$ref": "#/components/schemas/COCOExport"}]}},
              "text/csv": {"schema": {"type": "string", "description": "A header line `object_id,run_id,image_id,task,model,kind,label,class_id,confidence,x1,y1,x2,y2,radius,created_at`, then one line per object; empty fields where there is no value."}}
            }
          },
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/files/{token}": {
      "get": {
        "tags": ["images"], "operationId": "getSignedFile", "summary": "A stored file through a signed, expiring link",
        "description": "No credential: the token, from an image's `file_url`, is the permission. It carries the file's key, its content type and its expiry (ARGUS_SIGNED_URL_TTL after it was made), signed with HMAC-SHA256. A forged, altered or expired token, or one for a file no longer stored, answers 404. Not rate-limited.",
        "security": [],
        "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The last path segment of `file_url`."}],
        "responses": {
          "200": {
            "description": "The stored file",
            "headers": {
              "Cache-Control": {"description": "`private, max-age=<seconds until the link expires>`.", "schema": {"type": "string"}},
              "X-Request-ID": {"$ref": "#/components/headers/RequestId"}
            },
            "content": {
              "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
              "image/png": {"schema": {"type": "string", "format": "binary"}},
              "image/webp": {"schema": {"type": "string", "format": "binary"}},
              "image/bmp": {"schema": {"type": "string", "format": "binary"}}
            }
          },
          "404": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/auth/signup": {
      "post": {
        "tags": ["accounts"], "operationId": "signup", "summary": "Create an account",
        "description": "Creates an account with the role `user`. Answers 403 `signup_disabled` when ARGUS_ALLOW_SIGNUP=false. Limited per client address in the sign-in group (ARGUS_RATE_LIMIT_AUTH).",
        "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignupRequest"}}}},
        "responses": {
          "201": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/auth/login": {
      "post": {
        "tags": ["accounts"], "operationId": "login", "summary": "Sign in: an access token and a refresh token",
        "description": "OAuth2's password form (`username`, `password`, optional `grant_type=password`) or JSON (`email`, `password`; `username` is accepted instead of `email`). An unknown email and a wrong password give the same 401 `invalid_credentials`. After ARGUS_LOGIN_MAX_FAILURES failures an email is locked for ARGUS_LOGIN_LOCKOUT_SECONDS: 429 `login_locked` with Retry-After. Limited per client address in the sign-in group (ARGUS_RATE_LIMIT_AUTH).",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/LoginForm"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/LoginRequest"}}
          }
        },
        "responses": {
          "200": {"$ref": "#/components/responses/TokenPair"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/auth/refresh": {
      "post": {
        "tags": ["accounts"], "operationId": "refresh", "summary": "Trade a refresh token for a new pair",
        "description": "Refresh tokens are single-use: each refresh spends the token and returns a new one. Presenting a token that was already spent or revoked answers 401 `refresh_token_reused` and revokes every token of its family (its session). Limited per client address in the sign-in group (ARGUS_RATE_LIMIT_AUTH).",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RefreshRequest"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/RefreshRequest"}}
          }
        },
        "responses": {
          "200": {"$ref": "#/components/responses/TokenPair"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/auth/logout": {
      "post": {
        "tags": ["accounts"], "operationId": "logout", "summary": "End a session",
        "description": "Revokes the family of the given refresh token (when it belongs to the caller) and denies the presented access token's jti until it expires. Needs any valid credential with the `read` scope.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LogoutRequest"}}}},
        "responses": {
          "204": {"$ref": "#/components/responses/NoContent"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/users/me": {
      "get": {
        "tags": ["accounts"], "operationId": "getMe", "summary": "The caller's account",
        "description": "Needs the `read` scope.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      },
      "patch": {
        "tags": ["accounts"], "operationId": "updateMe", "summary": "Change the caller's name or email",
        "description": "Needs the `write` scope. Fields left out are not changed.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateMeRequest"}}}},
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/users/me/password": {
      "post": {
        "tags": ["accounts"], "operationId": "changePassword", "summary": "Change the caller's password",
        "description": "Needs the `write` scope. Ends every refresh session of the account. A wrong `current_password` is 403 `wrong_password`; a `new_password` that breaks the password policy is 422 `weak_password`.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChangePasswordRequest"}}}},
        "responses": {
          "204": {"$ref": "#/components/responses/NoContent"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/users/{id}": {
      "get": {
        "tags": ["accounts"], "operationId": "getUser", "summary": "One account by id",
        "description": "Needs the `read` scope. The caller's own account, or any account for an admin; any other id answers 404 like a missing one. A malformed id is 400.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/api-keys": {
      "post": {
        "tags": ["accounts"], "operationId": "createAPIKey", "summary": "Create an API key",
        "description": "Needs the `write` scope. A key cannot get scopes the creating credential does not hold (403 `insufficient_scope`). The secret `key` is in this answer only; the server keeps its SHA-256.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateAPIKeyRequest"}}}},
        "responses": {
          "201": {"description": "The key, with its secret", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKeyCreated"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      },
      "get": {
        "tags": ["accounts"], "operationId": "listAPIKeys", "summary": "The caller's API keys, newest first",
        "description": "Needs the `read` scope. Secrets are never listed.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "responses": {
          "200": {"description": "The keys", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKeyList"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/api-keys/{id}": {
      "delete": {
        "tags": ["accounts"], "operationId": "deleteAPIKey", "summary": "Delete one of the caller's API keys",
        "description": "Needs the `write` scope. Another user's key answers 404 like a missing one.",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "204": {"$ref": "#/components/responses/NoContent"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/admin/users": {
      "get": {
        "tags": ["admin"], "operationId": "adminListUsers", "summary": "Every account, by email",
        "description": "Needs an admin account and the `admin` scope (403 `forbidden` otherwise).",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "description": "Most accounts returned."},
          {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}, "description": "Accounts to skip."}
        ],
        "responses": {
          "200": {"description": "One page of accounts", "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserPage"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        }
      }
    },
    "/api/v1/admin/users/{id}": {
      "patch": {
        "tags": ["admin"], "operationId": "adminUpdateUser", "summary": "Disable or enable an account, or change its role",
        "description": "Needs an admin account and the `admin` scope (403 `forbidden` otherwise). Disabling an account revokes its refresh tokens, and its access tokens and API keys stop working at once. An admin cannot disable or demote their own account (400 `self_lockout`).",
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdminUpdateUserRequest"}}}},
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
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
        "tags": ["operations"], "operationId": "healthReady", "summary": "The default model is loaded and the database is ready",
        "description": "503 until the default model is loaded, the database answers and no migration is pending.",
        "responses": {
          "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "503": {"description": "Not ready yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
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
    "securitySchemes": {
      "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "An access token from /api/v1/auth/login, or an API key (`argus_...`) sent as a bearer token."},
      "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key (`argus_...`) from /api/v1/api-keys."},
      "oauth2Password": {
        "type": "oauth2",
        "description": "OAuth2 password flow over /api/v1/auth/login; the access token is then sent as a bearer token.",
        "flows": {
          "password": {
            "tokenUrl": "/api/v1/auth/login",
            "refreshUrl": "/api/v1/auth/refresh",
            "scopes": {"read": "Read the caller's data.", "write": "Create and change data, run detections.", "admin": "Administer accounts (admin accounts only)."}
          }
        }
      }
    },
    "parameters": {
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "A UUID; a malformed one is 400."},
      "ObjectId": {"name": "object_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "An object's UUID; a malformed one is 400."},
      "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "description": "Most items returned."},
      "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "The `next_cursor` of the previous page; a token this server did not give out is 400."},
      "Tasks": {"name": "tasks", "in": "query", "schema": {"type": "string", "default": "detect"}, "examples": {"both": {"value": "detect,circles"}, "none": {"value": "none"}}, "description": "Comma-separated tasks to run on the upload: `detect`, `circles`, or `none` (just store it). Also accepted as a form field."},
      "Model": {"name": "model", "in": "query", "schema": {"type": "string", "default": "yolov3-tiny"}, "description": "Model id (argus models list); the default is ARGUS_DEFAULT_MODEL."},
      "Conf": {"name": "conf", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.25}, "description": "Minimum confidence."},
      "Iou": {"name": "iou", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.45}, "description": "IoU threshold of non-maximum suppression."},
      "Classes": {"name": "classes", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated class names or indices to keep."},
      "MaxDet": {"name": "max_det", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 300}, "description": "Most detections returned."},
      "Agnostic": {"name": "agnostic", "in": "query", "schema": {"type": "boolean", "default": false}, "description": "Suppress overlaps across classes."},
      "MinRadius": {"name": "min_radius", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 5}, "description": "Smallest circle radius in pixels."},
      "MaxRadius": {"name": "max_radius", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100000, "default": 0}, "description": "Largest radius in pixels; 0: half the shorter side. Otherwise at least `min_radius`."},
      "MinDist": {"name": "min_dist", "in": "query", "schema": {"type": "number", "minimum": 0, "default": 0}, "description": "Smallest distance between two centres in pixels; 0: `min_radius`, at least 8."},
      "EdgeThreshold": {"name": "edge_threshold", "in": "query", "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 100}, "description": "Upper threshold of the Canny edge detector."},
      "AccumulatorThreshold": {"name": "accumulator_threshold", "in": "query", "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 30}, "description": "Votes a centre needs; lower finds fainter circles and more false ones."},
      "CircleMinConfidence": {"name": "min_confidence", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.3}, "description": "Circles with a lower confidence are dropped (in process: the share of the perimeter that lies on edges)."},
      "MaxCircles": {"name": "max_circles", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "description": "Most circles returned."}
    },
    "headers": {
      "RateLimitLimit": {"description": "Requests the client may make at once on this route group.", "schema": {"type": "integer"}},
      "RateLimitRemaining": {"description": "Requests left right now.", "schema": {"type": "integer"}},
      "RateLimitReset": {"description": "Seconds until the bucket is full again.", "schema": {"type": "integer"}},
      "RequestId": {"description": "The request id (the client's X-Request-ID when sane).", "schema": {"type": "string"}}
    },
    "responses": {
      "ImageFile": {
        "description": "The stored file, in its own type",
        "headers": {
          "Cache-Control": {"description": "`private, max-age=300`.", "schema": {"type": "string"}},
          "Content-Disposition": {"description": "`inline; filename=\"...\"` when the upload had a file name.", "schema": {"type": "string"}},
          "X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}
        },
        "content": {
          "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
          "image/png": {"schema": {"type": "string", "format": "binary"}},
          "image/webp": {"schema": {"type": "string", "format": "binary"}},
          "image/bmp": {"schema": {"type": "string", "format": "binary"}}
        }
      },
      "JPEG": {
        "description": "A JPEG rendering",
        "headers": {
          "Cache-Control": {"description": "`private, max-age=300`.", "schema": {"type": "string"}},
          "X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}
        },
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}
      },
      "Error": {
        "description": "The single error shape of every failure",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
          "Retry-After": {"description": "Seconds to wait (429 and 503).", "schema": {"type": "integer"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthorized": {
        "description": "No credential where one is needed (`unauthorized`), or a bad one: `invalid_credentials`, `account_disabled`",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
          "WWW-Authenticate": {"description": "`Bearer` (not sent with `account_disabled`).", "schema": {"type": "string"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "TooManyRequests": {
        "description": "`rate_limited`: the route group's bucket is empty (with the X-RateLimit-* headers); on login also `login_locked`",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
          "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
          "X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
          "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "User": {
        "description": "The account",
        "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}
      },
      "TokenPair": {
        "description": "A new access token and refresh token",
        "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenPair"}}}
      },
      "NoContent": {
        "description": "Done",
        "headers": {"X-RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"}, "X-RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"}, "X-RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}, "X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
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
      "Corners": {
        "type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
        "description": "[x1, y1, x2, y2]: top-left and bottom-right corners in pixels of the upright image. For a circle, the square around it."
      },
      "ObjectSummary": {
        "type": "object",
        "required": ["object_id", "kind", "label", "confidence", "bbox"],
        "properties": {
          "object_id": {"type": "string", "format": "uuid"},
          "kind": {"type": "string", "enum": ["box", "circle"]},
          "label": {"type": "string", "description": "The class name for a box, `circle` for a circle."},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1},
          "bbox": {"$ref": "#/components/schemas/Corners"}
        }
      },
      "ObjectDetail": {
        "type": "object",
        "required": ["object_id", "kind", "label", "confidence", "bbox", "centroid", "radius", "created_at"],
        "properties": {
          "object_id": {"type": "string", "format": "uuid"},
          "kind": {"type": "string", "enum": ["box", "circle"]},
          "label": {"type": "string"},
          "class_id": {"type": "integer", "minimum": 0, "description": "The model's class index; left out for circles."},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1},
          "bbox": {"$ref": "#/components/schemas/Corners"},
          "centroid": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": "[x, y]: the centre of `bbox`."},
          "radius": {"type": "number", "description": "A circle's radius; for a box, the radius of the circle through its corners (half its diagonal)."},
          "image_id": {"type": "string", "format": "uuid"},
          "created_at": {"type": "string", "format": "date-time"}
        }
      },
      "TaskResult": {
        "type": "object",
        "required": ["model", "objects", "inference_ms", "total_ms"],
        "properties": {
          "model": {"type": "string", "description": "The detector's model id, or `hough` / `remote:<model>` for circles."},
          "objects": {"type": "array", "items": {"$ref": "#/components/schemas/ObjectSummary"}},
          "inference_ms": {"type": "number"},
          "total_ms": {"type": "number"}
        }
      },
      "Image": {
        "type": "object",
        "required": ["id", "format", "media_type", "width", "height", "byte_size", "sha256", "created_at", "file_url", "file_url_expires_at", "links"],
        "properties": {
          "id": {"type": "string", "format": "uuid"},
          "filename": {"type": "string", "description": "The uploaded file name, sanitised; left out when there was none."},
          "format": {"type": "string", "enum": ["jpeg", "png", "webp", "bmp"]},
          "media_type": {"type": "string", "enum": ["image/jpeg", "image/png", "image/webp", "image/bmp"]},
          "width": {"type": "integer", "description": "Upright width (EXIF orientation applied)."},
          "height": {"type": "integer", "description": "Upright height."},
          "byte_size": {"type": "integer", "description": "Bytes of the stored copy (metadata stripped)."},
          "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the bytes as uploaded (what duplicates are recognised by)."},
          "created_at": {"type": "string", "format": "date-time"},
          "file_url": {"type": "string", "description": "A signed path to the file that works without credentials until `file_url_expires_at`; a new one comes with every answer."},
          "file_url_expires_at": {"type": "string", "format": "date-time"},
          "links": {
            "type": "object",
            "required": ["file", "annotated", "thumbnail", "objects"],
            "properties": {"file": {"type": "string"}, "annotated": {"type": "string"}, "thumbnail": {"type": "string"}, "objects": {"type": "string"}},
            "description": "The image's routes, as paths."
          },
          "object_count": {"type": "integer", "minimum": 0},
          "objects": {"type": "array", "items": {"$ref": "#/components/schemas/ObjectSummary"}, "description": "In GET /api/v1/images/{id} and a duplicate upload's answer."},
          "duplicate": {"type": "boolean", "description": "In upload answers only."},
          "results": {
            "type": "object",
            "properties": {"detect": {"$ref": "#/components/schemas/TaskResult"}, "circles": {"$ref": "#/components/schemas/TaskResult"}},
            "description": "In a new upload's answer: one entry per task run."
          }
        }
      },
      "ImagePage": {
        "type": "object",
        "required": ["items"],
        "properties": {
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/Image"}},
          "next_cursor": {"type": "string", "description": "Left out on the last page."}
        }
      },
      "Circle": {
        "type": "object",
        "required": ["bbox", "centroid", "radius", "confidence"],
        "properties": {
          "bbox": {"$ref": "#/components/schemas/Corners"},
          "centroid": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": "[x, y]: the centre."},
          "radius": {"type": "number"},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1}
        }
      },
      "CirclesResult": {
        "type": "object",
        "required": ["detector", "image", "circles", "timings_ms"],
        "properties": {
          "detector": {"type": "string", "examples": ["hough", "remote:circles"]},
          "image": {"type": "object", "required": ["width", "height"], "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}}},
          "circles": {"type": "array", "items": {"$ref": "#/components/schemas/Circle"}},
          "timings_ms": {"type": "object", "required": ["total"], "properties": {"total": {"type": "number"}}}
        }
      },
      "HistoryRun": {
        "type": "object",
        "required": ["id", "task", "model", "image", "object_count", "inference_ms", "total_ms", "created_at", "objects"],
        "properties": {
          "id": {"type": "string", "format": "uuid"},
          "task": {"type": "string", "enum": ["detect", "circles"]},
          "model": {"type": "string"},
          "image_id": {"type": "string", "format": "uuid", "description": "The stored image; left out for /detect and /circles runs."},
          "image": {"type": "object", "required": ["width", "height"], "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}}},
          "object_count": {"type": "integer", "minimum": 0},
          "inference_ms": {"type": "number"},
          "total_ms": {"type": "number"},
          "created_at": {"type": "string", "format": "date-time"},
          "objects": {"type": "array", "items": {"$ref": "#/components/schemas/ObjectSummary"}}
        }
      },
      "HistoryPage": {
        "type": "object",
        "required": ["items"],
        "properties": {
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryRun"}},
          "next_cursor": {"type": "string", "description": "Left out on the last page."}
        }
      },
      "Latency": {
        "type": "object",
        "required": ["count"],
        "properties": {"count": {"type": "integer"}, "p50": {"type": "number"}, "p90": {"type": "number"}, "p99": {"type": "number"}},
        "description": "Inference milliseconds; nearest-rank percentiles."
      },
      "Stats": {
        "type": "object",
        "required": ["days", "runs", "images", "objects_per_label", "runs_per_day", "runs_per_model", "inference_ms"],
        "properties": {
          "days": {"type": "integer"},
          "runs": {"type": "integer", "description": "Task runs in the window."},
          "images": {"type": "integer", "description": "Images uploaded in the window."},
          "objects_per_label": {"type": "object", "additionalProperties": {"type": "integer"}},
          "runs_per_day": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "By UTC date (`2026-11-23`); days without runs are left out."},
          "runs_per_model": {"type": "object", "additionalProperties": {"type": "integer"}},
          "inference_ms": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Latency"}, "description": "By model."}
        }
      },
      "ExportObject": {
        "type": "object",
        "required": ["object_id", "run_id", "task", "model", "kind", "label", "confidence", "bbox", "created_at"],
        "properties": {
          "object_id": {"type": "string", "format": "uuid"},
          "run_id": {"type": "string", "format": "uuid"},
          "image_id": {"type": "string", "format": "uuid", "description": "Left out when the run had no stored image."},
          "task": {"type": "string", "enum": ["detect", "circles"]},
          "model": {"type": "string"},
          "kind": {"type": "string", "enum": ["box", "circle"]},
          "label": {"type": "string"},
          "class_id": {"type": "integer", "description": "Left out for circles."},
          "confidence": {"type": "number"},
          "bbox": {"$ref": "#/components/schemas/Corners"},
          "radius": {"type": "number", "description": "Circles only."},
          "created_at": {"type": "string", "format": "date-time"}
        }
      },
      "COCOExport": {
        "type": "object",
        "required": ["info", "images", "annotations", "categories"],
        "properties": {
          "info": {"type": "object", "properties": {"description": {"type": "string"}}},
          "images": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["id", "argus_id", "file_name", "width", "height"],
              "properties": {
                "id": {"type": "integer", "description": "1, 2, ... in upload order."},
                "argus_id": {"type": "string", "format": "uuid"},
                "file_name": {"type": "string", "description": "The uploaded file name, or the image id when there was none."},
                "width": {"type": "integer"},
                "height": {"type": "integer"}
              }
            }
          },
          "annotations": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["id", "image_id", "category_id", "bbox", "area", "iscrowd", "score"],
              "properties": {
                "id": {"type": "integer"},
                "image_id": {"type": "integer"},
                "category_id": {"type": "integer"},
                "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[x, y, width, height]."},
                "area": {"type": "number"},
                "iscrowd": {"type": "integer", "const": 0},
                "score": {"type": "number"}
              }
            }
          },
          "categories": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "description": "COCO's own ids (1 to 90) for COCO classes; 1000 and up for other labels."
          }
        }
      },
      "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
      "Scope": {"type": "string", "enum": ["read", "write", "admin"]},
      "Role": {"type": "string", "enum": ["user", "admin"]},
      "Password": {"type": "string", "minLength": 8, "maxLength": 72, "description": "8 characters to 72 bytes; not only spaces, not the email or its local part, not one of the most common passwords."},
      "User": {
        "type": "object",
        "required": ["id", "email", "name", "role", "disabled", "created_at"],
        "properties": {
          "id": {"type": "string", "format": "uuid"},
          "email": {"type": "string", "format": "email"},
          "name": {"type": "string"},
          "role": {"$ref": "#/components/schemas/Role"},
          "disabled": {"type": "boolean"},
          "created_at": {"type": "string", "format": "date-time"}
        }
      },
      "UserPage": {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
          "total": {"type": "integer", "minimum": 0, "description": "Accounts in all."},
          "limit": {"type": "integer"},
          "offset": {"type": "integer"}
        }
      },
      "TokenPair": {
        "type": "object",
        "required": ["access_token", "refresh_token", "token_type", "expires_in"],
        "properties": {
          "access_token": {"type": "string", "description": "An HS256 JWT; send it as Authorization: Bearer."},
          "refresh_token": {"type": "string", "description": "An opaque, single-use `rt_...` token."},
          "token_type": {"type": "string", "const": "bearer"},
          "expires_in": {"type": "integer", "description": "Seconds the access token lasts (ARGUS_ACCESS_TOKEN_TTL)."}
        }
      },
      "APIKey": {
        "type": "object",
        "required": ["id", "name", "prefix", "scopes", "created_at"],
        "properties": {
          "id": {"type": "string", "format": "uuid"},
          "name": {"type": "string"},
          "prefix": {"type": "string", "examples": ["argus_0123456789ab"], "description": "The key's public start, to recognise it."},
          "scopes": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}},
          "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "Left out when the key does not expire."},
          "last_used_at": {"type": ["string", "null"], "format": "date-time", "description": "Left out when the key was never used."},
          "created_at": {"type": "string", "format": "date-time"}
        }
      },
      "APIKeyCreated": {
        "allOf": [
          {"$ref": "#/components/schemas/APIKey"},
          {
            "type": "object",
            "required": ["key"],
            "properties": {"key": {"type": "string", "description": "The secret, `argus_<12 hex>_<secret>`. Shown only in this answer."}}
          }
        ]
      },
      "APIKeyList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/APIKey"}}}
      },
      "SignupRequest": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {
          "email": {"type": "string", "format": "email", "maxLength": 254},
          "password": {"$ref": "#/components/schemas/Password"},
          "name": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Display name; the email's local part when left out."}
        }
      },
      "LoginForm": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
          "username": {"type": "string", "description": "The account's email."},
          "password": {"type": "string"},
          "grant_type": {"type": "string", "enum": ["password"]}
        }
      },
      "LoginRequest": {
        "type": "object",
        "required": ["password"],
        "anyOf": [{"required": ["email"]}, {"required": ["username"]}],
        "properties": {
          "email": {"type": "string"},
          "username": {"type": "string", "description": "Accepted instead of email."},
          "password": {"type": "string"}
        }
      },
      "RefreshRequest": {
        "type": "object",
        "required": ["refresh_token"],
        "properties": {"refresh_token": {"type": "string"}}
      },
      "LogoutRequest": {
        "type": "object",
        "properties": {"refresh_token": {"type": "string", "description": "The session's refresh token: its whole family is revoked."}}
      },
      "UpdateMeRequest": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 100},
          "email": {"type": "string", "format": "email", "maxLength": 254}
        }
      },
      "ChangePasswordRequest": {
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": {
          "current_password": {"type": "string"},
          "new_password": {"$ref": "#/components/schemas/Password"}
        }
      },
      "CreateAPIKeyRequest": {
        "type": "object",
        "required": ["name"],
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 100},
          "scopes": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Scope"}, "default": ["read", "write"]},
          "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 3650, "description": "Left out: the key does not expire."}
        }
      },
      "AdminUpdateUserRequest": {
        "type": "object",
        "properties": {
          "disabled": {"type": "boolean"},
          "role": {"$ref": "#/components/schemas/Role"}
        }
      },
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
