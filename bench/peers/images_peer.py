"""The peer of Argus's image upload for bench/images_load.py: FastAPI + onnxruntime +
SQLAlchemy doing the same work per request as `POST /api/v1/images?tasks=detect`:

  bearer token check -> read the multipart file -> sniff and decode (OpenCV) -> sha256
  -> write the file (temp + fsync + rename, sharded by hash) -> detect with the same
  ONNX model through the reference pipeline (bench/reference/argus_ref.py) -> one
  transaction: image row, run row, one row per object (SQLite) -> 201 with the record.

    python bench/peers/images_peer.py --port 8100 --data DIR --model-path M.onnx [--threads 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
import uuid
from pathlib import Path

import cv2
import numpy as np
import uvicorn
from fastapi import FastAPI, File, Header, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, create_engine
from sqlalchemy.orm import Session, declarative_base

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import argus_ref as ref  # noqa: E402

Base = declarative_base()


class ImageRow(Base):
    __tablename__ = "images"
    id = Column(String, primary_key=True)
    sha256 = Column(String, nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    byte_size = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)


class RunRow(Base):
    __tablename__ = "runs"
    id = Column(String, primary_key=True)
    image_id = Column(String, ForeignKey("images.id"), nullable=False)
    model = Column(String, nullable=False)
    inference_ms = Column(Float, nullable=False)


class ObjectRow(Base):
    __tablename__ = "objects"
    id = Column(String, primary_key=True)
    run_id = Column(String, ForeignKey("runs.id"), nullable=False)
    image_id = Column(String, ForeignKey("images.id"), nullable=False)
    label = Column(String, nullable=False)
    confidence = Column(Float, nullable=False)
    x1 = Column(Float, nullable=False)
    y1 = Column(Float, nullable=False)
    x2 = Column(Float, nullable=False)
    y2 = Column(Float, nullable=False)


def make_app(data: Path, model_path: str, threads: int, token: str) -> FastAPI:
    data.mkdir(parents=True, exist_ok=True)
    (data / "tmp").mkdir(exist_ok=True)
    engine = create_engine(f"sqlite:///{data / 'peer.sqlite'}", connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    detector = ref.Detector("yolov3-tiny", model_path=model_path, threads=threads)
    app = FastAPI()

    def store(content: bytes, digest: str) -> None:
        target = data / digest[:2] / digest[2:4] / digest
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = data / "tmp" / uuid.uuid4().hex
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)

    def work(content: bytes):
        image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise HTTPException(422, "invalid image")
        digest = hashlib.sha256(content).hexdigest()
        store(content, digest)
        start = time.perf_counter()
        detections = detector.detect(image)
        inference_ms = (time.perf_counter() - start) * 1000
        image_id, run_id = str(uuid.uuid4()), str(uuid.uuid4())
        objects = [
            {"object_id": str(uuid.uuid4()), "kind": "box", "label": ref.COCO80_NAMES[d.class_id],
             "confidence": float(d.score), "bbox": [float(d.x1), float(d.y1), float(d.x2), float(d.y2)]}
            for d in detections
        ]
        with Session(engine) as session, session.begin():
            session.add(ImageRow(id=image_id, sha256=digest, width=image.shape[1], height=image.shape[0],
                                 byte_size=len(content), created_at=dt.datetime.now(dt.timezone.utc)))
            session.add(RunRow(id=run_id, image_id=image_id, model="yolov3-tiny", inference_ms=inference_ms))
            for o in objects:
                x1, y1, x2, y2 = o["bbox"]
                session.add(ObjectRow(id=o["object_id"], run_id=run_id, image_id=image_id, label=o["label"],
                                      confidence=o["confidence"], x1=x1, y1=y1, x2=x2, y2=y2))
        return {"id": image_id, "sha256": digest, "width": image.shape[1], "height": image.shape[0],
                "results": {"detect": {"model": "yolov3-tiny", "objects": objects, "inference_ms": inference_ms}}}

    @app.post("/api/v1/images", status_code=201)
    async def upload(file: UploadFile = File(...), authorization: str = Header("")):
        if authorization != f"Bearer {token}":
            raise HTTPException(401, "unauthorized")
        content = await file.read()
        if not content:
            raise HTTPException(400, "empty file")
        return await run_in_threadpool(work, content)

    @app.get("/health")
    async def health():
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--token", default="peer-token")
    args = parser.parse_args()
    app = make_app(Path(args.data), args.model_path, args.threads, args.token)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
