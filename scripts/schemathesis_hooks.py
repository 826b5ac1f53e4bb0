"""Schemathesis hooks of scripts/schemathesis.sh: real images for the upload routes.

Generated multipart files are random bytes, which every upload route refuses with 415
before any detector runs. Before half of the positive calls to POST /api/v1/detect,
/api/v1/circles, /api/v1/images, /api/v1/remove-background and /api/v1/search/similar,
this hook puts a small real image (PNG or JPEG with
a few discs, made here with OpenCV) in the file field, and drops `model` and `classes`
(random ids and class names are always 400), so that the answers of the detectors and
of the stored-image routes are tested too. It also keeps the fixture image that
scripts/schemathesis.sh offers to the read routes (ST_KEEP_IMAGE_ID) from being deleted,
and takes the optional, uninstalled u2net model out of every query.

    python scripts/schemathesis_hooks.py IMAGE.png [SEED]   writes one such image (fixtures)
"""

from __future__ import annotations

import os
import random
import sys
import uuid

import cv2
import numpy as np

UPLOAD_FIELDS = {
    "/api/v1/detect": "image",
    "/api/v1/circles": "image",
    "/api/v1/images": "file",
    "/api/v1/remove-background": "image",
    "/api/v1/search/similar": "image",
}
# The large background-removal model is optional (`U2NET=1 make setup`) and not installed
# on the run's server: its 503 model_unavailable is right, but schemathesis counts every
# 5xx as a server error, so the name is taken out of the query.
OPTIONAL_MODELS = {"model": "u2net", "bg_model": "u2net"}


def sample_image(seed: int, extension: str = ".png") -> bytes:
    rng = np.random.default_rng(seed)
    height, width = int(rng.integers(48, 160)), int(rng.integers(48, 160))
    picture = np.full((height, width, 3), 235, np.uint8)
    for _ in range(int(rng.integers(1, 4))):
        radius = int(rng.integers(8, max(9, min(width, height) // 3)))
        centre = (int(rng.integers(radius, width - radius + 1)), int(rng.integers(radius, height - radius + 1)))
        cv2.circle(picture, centre, radius, tuple(int(c) for c in rng.integers(0, 120, 3)), 2)
    ok, encoded = cv2.imencode(extension, picture)
    assert ok
    return encoded.tobytes()


# A few fixed images: sending one again is a duplicate upload (200) rather than a new one (201).
SAMPLES = [sample_image(seed, extension) for seed, extension in enumerate([".png", ".jpg", ".png", ".jpg"])]


def install() -> None:
    import schemathesis

    keep = os.environ.get("ST_KEEP_IMAGE_ID", "").lower()
    chance = random.Random(os.environ.get("ST_SEED"))  # the run's seed, for repeatable runs

    @schemathesis.hook
    def before_call(context, case, kwargs):
        # The fixture image that the read routes are offered stays: a DELETE of it (from a
        # stateful link, say) goes to a random id instead, which answers 404.
        if (keep and case.method.upper() == "DELETE" and case.operation.path == "/api/v1/images/{id}"
                and str((case.path_parameters or {}).get("id", "")).lower() == keep):
            case.path_parameters["id"] = str(uuid.uuid4())
        if isinstance(case.query, dict):
            for name, value in OPTIONAL_MODELS.items():
                if case.query.get(name) == value:
                    case.query.pop(name)
        field = UPLOAD_FIELDS.get(case.operation.path)
        if field is None or case.method.upper() != "POST" or not isinstance(case.body, dict):
            return
        # Negative cases stay as generated: a real image must not turn them into valid requests.
        meta = case.meta
        if meta is not None and str(meta.generation.mode) != "positive":
            return
        if chance.random() < 0.5:
            case.body[field] = chance.choice(SAMPLES)
            if isinstance(case.query, dict):
                for name in ("model", "classes"):
                    case.query.pop(name, None)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1], "wb") as handle:
        seed = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
        handle.write(sample_image(seed, "." + sys.argv[1].rsplit(".", 1)[-1]))
else:
    install()
