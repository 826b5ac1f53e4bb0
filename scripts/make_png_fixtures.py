#!/usr/bin/env python3
"""PNG fixtures in every colour type and depth, with the pixels OpenCV decodes them to.

    .deps/venv-bench/bin/python scripts/make_png_fixtures.py

Writes Tests/ArgusVisionTests/Fixtures/png/*.png (made with Pillow and OpenCV) and
png-goldens.json: for each file, the SHA-256 of the 8-bit BGR pixels that
cv2.imdecode(IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION) gives, which Argus's own PNG
decoder must reproduce byte for byte.
"""
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "Tests" / "ArgusVisionTests" / "Fixtures" / "png"


def gradient(height: int, width: int, channels: int, maximum: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    planes = [(x * 7 + y * 3 + c * 50) % (maximum + 1) for c in range(channels)]
    return np.stack(planes, axis=-1).astype(np.uint16 if maximum > 255 else np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    h, w = 37, 53
    rgb = gradient(h, w, 3, 255)
    alpha = gradient(h, w, 1, 255)[..., 0]
    Image.fromarray(rgb, "RGB").save(OUT / "rgb8.png")
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(OUT / "rgba8.png")
    Image.fromarray(rgb[..., 0], "L").save(OUT / "gray8.png")
    Image.fromarray(np.dstack([rgb[..., 1], alpha]), "LA").save(OUT / "gray-alpha8.png")
    Image.fromarray(rgb[..., 0] > 128).save(OUT / "gray1.png")
    palette = Image.fromarray(rgb, "RGB").quantize(colors=16)
    palette.info["transparency"] = 3
    palette.save(OUT / "palette-trns.png", transparency=3)
    cv2.imwrite(str(OUT / "bgr16.png"), gradient(h, w, 3, 65535))
    cv2.imwrite(str(OUT / "gray16.png"), gradient(h, w, 1, 65535)[..., 0])
    goldens = {}
    for path in sorted(OUT.glob("*.png")):
        data = np.frombuffer(path.read_bytes(), np.uint8)
        pixels = cv2.imdecode(data, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        goldens[path.name] = {"width": pixels.shape[1], "height": pixels.shape[0],
                              "sha256": hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()}
    (OUT / "png-goldens.json").write_text(json.dumps(goldens, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
