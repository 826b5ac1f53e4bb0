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
    {"name": "operations", "description": "Health, metrics and this documentation."}
  ],
  "paths": {
    "/api/v1/detect": {
      "post": {
        "tags": ["detection"],
        "operationId": "detect",
        "summary": "Detect objects in one image",
        "description": "Needs a credential with the `write` scope (an access token or an API key). Anonymous calls are accepted only when the server runs with ARGUS_ALLOW_ANONYMOUS=true.",
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
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
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
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "A UUID; a malformed one is 400."}
    },
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
