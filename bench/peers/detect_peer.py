"""The peer of Argus's `POST /api/v1/detect` for bench/load.py and bench/server_cost.py:
FastAPI + onnxruntime under uvicorn with several worker processes, doing per request what
Argus does:

  bearer token check -> read the multipart file -> decode (OpenCV) -> preprocess -> ONNX
  Runtime -> decode outputs -> NMS (the reference pipeline, bench/reference/argus_ref.py,
  conf 0.25, iou 0.45, max 300) -> JSON shaped like Argus's answer.

    python bench/peers/detect_peer.py --port 8100 --model yolov3-tiny \
        --model-path models/yolov3-tiny.onnx --threads 1 --workers 2

Routes:
  POST /api/v1/detect     multipart file in the field `image` (Argus's name) or `file`;
                          `Authorization: Bearer peer-token` (--token) or no credential
                          at all (the load bench signs in, so both peers check a token);
                          a wrong token is 401. `?model=` must be the served model.
                          200 {"model","image":{"width","height"},"detections":[{"label",
                          "class_id","confidence","bbox":{"x1","y1","x2","y2"}}],
                          "timings_ms":{"decode","preprocess","inference","postprocess","total"}}
                          A sane `X-Request-ID` (1-128 letters, digits, '-', '_', '.') is
                          echoed on the answer, as Argus does (load.py's wrk script pairs
                          answers with requests by it).
  GET  /health            {"status":"ok","pid":N} (N: the worker that answered)
  GET  /health/live       {"status":"ok"}
  GET  /api/v1/users/me   needs `X-API-Key: peer-key` (--api-key), else 401; a small user JSON

Each worker process loads its own ONNX Runtime session (intra-op --threads, inter-op 1,
sequential, all graph optimisations, as the reference does) and runs the pipeline in
FastAPI's thread pool, so one worker may run several requests at once on one session.
There is no admission control: requests beyond what the CPUs do wait in the workers.
uvicorn runs with httptools and uvloop (uvicorn's "standard" extras, as deployed in
production), see main().

uvicorn needs an import string to start more than one worker, so the options travel to
the workers in DETECT_PEER_* environment variables and `create_app` (a factory) reads them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
sys.path.insert(0, str(HERE))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from fastapi import FastAPI, HTTPException, Request, Response  # noqa: E402
from fastapi.concurrency import run_in_threadpool  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402

import argus_ref as ref  # noqa: E402

ENV_PREFIX = "DETECT_PEER_"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def create_app() -> FastAPI:
    """The app of one worker, configured from DETECT_PEER_* (set by main)."""
    model_id = os.environ.get(ENV_PREFIX + "MODEL", "yolov3-tiny")
    model_path = os.environ.get(ENV_PREFIX + "MODEL_PATH") or None
    threads = int(os.environ.get(ENV_PREFIX + "THREADS", "1"))
    token = os.environ.get(ENV_PREFIX + "TOKEN", "peer-token")
    api_key = os.environ.get(ENV_PREFIX + "API_KEY", "peer-key")
    detector = ref.Detector(model_id, model_path=model_path, threads=threads)
    # One untimed run so that the first request does not pay the session's warm-up.
    size = detector.spec.input_size
    detector.run(np.zeros((1, 3, size, size), dtype=np.float32))
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    def work(content: bytes) -> dict:
        start = time.perf_counter()
        image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise HTTPException(422, "the file is not an image this server can decode")
        decoded = time.perf_counter()
        tensor, geometry = detector.preprocess(image)
        prepared = time.perf_counter()
        outputs = detector.run(tensor)
        inferred = time.perf_counter()
        boxes, obj, cls = detector.decode(outputs)
        detections = ref.postprocess(boxes, obj, cls, geometry, 0.25, 0.45, 300)
        done = time.perf_counter()
        ms = lambda a, b: (b - a) * 1000  # noqa: E731
        return {
            "model": model_id,
            "image": {"width": int(image.shape[1]), "height": int(image.shape[0])},
            "detections": [
                {"label": ref.COCO80_NAMES[d.class_id], "class_id": d.class_id, "confidence": d.score,
                 "bbox": {"x1": d.x1, "y1": d.y1, "x2": d.x2, "y2": d.y2}}
                for d in detections
            ],
            "timings_ms": {"decode": ms(start, decoded), "preprocess": ms(decoded, prepared),
                           "inference": ms(prepared, inferred), "postprocess": ms(inferred, done),
                           "total": ms(start, done)},
        }

    @app.post("/api/v1/detect")
    async def detect(request: Request, response: Response):
        request_id = request.headers.get("x-request-id")
        if request_id is not None and SANE_REQUEST_ID.fullmatch(request_id):
            response.headers["X-Request-ID"] = request_id
        authorization = request.headers.get("authorization")
        if authorization is not None and authorization != f"Bearer {token}":
            raise HTTPException(401, "unauthorized")
        wanted = request.query_params.get("model")
        if wanted is not None and wanted != model_id:
            raise HTTPException(404, f"this peer serves only {model_id}")
        form = await request.form()
        upload = form.get("image") or form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, "send the image as multipart/form-data in a field named 'image'")
        content = await upload.read()
        await form.close()
        if not content:
            raise HTTPException(400, "the uploaded file is empty")
        return await run_in_threadpool(work, content)

    @app.get("/health")
    async def health():
        return {"status": "ok", "pid": os.getpid()}

    @app.get("/health/live")
    async def live():
        return {"status": "ok"}

    @app.get("/api/v1/users/me")
    async def me(request: Request):
        if request.headers.get("x-api-key") != api_key:
            return JSONResponse({"error": {"code": "unauthorized", "message": "send X-API-Key"}}, status_code=401)
        return {"id": "00000000-0000-4000-8000-000000000001", "email": "bench@example.com", "name": "Bench",
                "role": "user", "disabled": False, "created_at": "2025-01-01T00:00:00Z"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--model", default="yolov3-tiny", choices=ref.MODEL_IDS)
    parser.add_argument("--model-path", default=None, help="ONNX file (default: the model's usual file)")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--token", default="peer-token")
    parser.add_argument("--api-key", default="peer-key")
    args = parser.parse_args()
    model_path = str(ref.resolve_model_path(args.model, args.model_path))
    os.environ.update({ENV_PREFIX + "MODEL": args.model, ENV_PREFIX + "MODEL_PATH": model_path,
                       ENV_PREFIX + "THREADS": str(args.threads), ENV_PREFIX + "TOKEN": args.token,
                       ENV_PREFIX + "API_KEY": args.api_key})
    import uvicorn

    # httptools + uvloop (uvicorn's "standard" set): uvloop sets TCP_NODELAY on every
    # connection; h11 on asyncio in worker processes does not, and small answers then wait
    # for the client's delayed ACK (~40 ms each).
    uvicorn.run("detect_peer:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                app_dir=str(HERE), http="httptools", loop="uvloop", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
