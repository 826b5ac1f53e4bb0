"""Real, unchanged clients of Argus's compatibility APIs, checked against independent results.

    compat_clients.py --url http://127.0.0.1:PORT --api-key KEY --models DIR --image JPEG

- tritonclient[http] (Triton's own HTTP client) against /v2: server liveness, readiness
  and metadata, model readiness and metadata, and inference with JSON and with binary
  tensors for yolox-nano and the default detector (yolov3-tiny). Every raw output must
  equal onnxruntime run directly on the same input tensor and the same model file
  (max |difference| <= 1e-5), and the `-detect` pipeline must find what /api/v1/detect finds.
- deepstack-python (the DeepStack client Home Assistant's integrations use) against
  /v1/vision/detection and /v1/vision/custom/{model}: its predictions must equal
  Argus's native POST /api/v1/detect on the same image (labels, confidences, and boxes
  within half a pixel, as DeepStack rounds them to whole pixels).

The Swift suite runs it (CompatibleClientsTests) against a live in-process server; it
prints one line per check and exits 1 on the first failure.
"""

import argparse
import json
import sys
import urllib.request

import numpy as np
import onnxruntime
import tritonclient.http as triton
from deepstack.core import DeepstackObject

TOLERANCE = 1e-5


def fail(message):
    print(f"FAIL {message}", flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok   {message}", flush=True)


def native_detect(url, api_key, image, model, confidence):
    """POST /api/v1/detect as Argus's own clients do (multipart field `image`)."""
    boundary = "argus-compat-check"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image.jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + image + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{url}/api/v1/detect?model={model}&conf={confidence}",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["detections"]


def input_tensor(metadata, seed, scale):
    """A deterministic tensor of the model's input shape (dynamic dimensions as 1)."""
    shape = [1 if d < 0 else d for d in metadata["inputs"][0]["shape"]]
    return (np.random.default_rng(seed).random(shape, dtype=np.float32) * scale).astype(np.float32)


class AuthHeaders:
    """Stands for the headers argument; each use gives a new dict."""

    def __init__(self, api_key):
        self.api_key = api_key

    def __call__(self):
        return {"Authorization": f"Bearer {self.api_key}"}


def check_triton(url, api_key, models_dir):
    host = url.split("://", 1)[1]
    client = triton.InferenceServerClient(url=host, network_timeout=120.0, connection_timeout=30.0)
    # A fresh dict for each call: tritonclient writes Inference-Header-Content-Length into it.
    headers = AuthHeaders(api_key)
    check(client.is_server_live(), "tritonclient: server live")
    check(client.is_server_ready(), "tritonclient: server ready")
    server = client.get_server_metadata(headers=headers())
    check("binary_tensor_data" in server.get("extensions", []), "tritonclient: server metadata names binary_tensor_data")
    for model, file, scale in (("yolox-nano", "yolox_nano_416.onnx", 255.0), ("yolov3-tiny", "yolov3-tiny.onnx", 1.0)):
        check(client.is_model_ready(model, headers=headers()), f"tritonclient: {model} ready")
        metadata = client.get_model_metadata(model, headers=headers())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # as Argus runs it, so that sums add up in the same order
        session = onnxruntime.InferenceSession(f"{models_dir}/{file}", options, providers=["CPUExecutionProvider"])
        expected_inputs = [(i.name, [d if isinstance(d, int) else -1 for d in i.shape]) for i in session.get_inputs()]
        got_inputs = [(i["name"], i["shape"]) for i in metadata["inputs"]]
        check(got_inputs == expected_inputs, f"tritonclient: {model} metadata inputs {got_inputs}")
        check(
            [o["name"] for o in metadata["outputs"]] == [o.name for o in session.get_outputs()],
            f"tritonclient: {model} metadata outputs",
        )
        tensor = input_tensor(metadata, seed=7, scale=scale)
        name = metadata["inputs"][0]["name"]
        reference = session.run(None, {name: tensor})
        for binary_in in (True, False):
            for binary_out in (True, False):
                infer_input = triton.InferInput(name, list(tensor.shape), "FP32")
                infer_input.set_data_from_numpy(tensor, binary_data=binary_in)
                outputs = [triton.InferRequestedOutput(o["name"], binary_data=binary_out) for o in metadata["outputs"]]
                result = client.infer(model, [infer_input], outputs=outputs, headers=headers())
                worst = 0.0
                for output, expected in zip(metadata["outputs"], reference):
                    got = result.as_numpy(output["name"])
                    if got is None or got.shape != expected.shape:
                        fail(f"tritonclient: {model} output {output['name']} has shape "
                             f"{None if got is None else got.shape}, onnxruntime {expected.shape}")
                    worst = max(worst, float(np.max(np.abs(got.astype(np.float64) - expected))))
                check(worst <= TOLERANCE,
                      f"tritonclient: {model} binary input {binary_in}, binary output {binary_out}: "
                      f"max |diff| {worst:.2e} vs onnxruntime")
        # No outputs named: tritonclient asks for all of them in binary form.
        infer_input = triton.InferInput(name, list(tensor.shape), "FP32")
        infer_input.set_data_from_numpy(tensor)
        result = client.infer(model, [infer_input], headers=headers())
        got = result.as_numpy(metadata["outputs"][0]["name"])
        check(got is not None and float(np.max(np.abs(got - reference[0]))) <= TOLERANCE,
              f"tritonclient: {model} with every output by default")
    return client, headers


def check_pipeline(client, headers, url, api_key, image):
    encoded = np.array([image], dtype=np.object_)
    infer_input = triton.InferInput("image", [1], "BYTES")
    infer_input.set_data_from_numpy(encoded)
    result = client.infer("yolox-nano-detect", [infer_input], headers=headers(),
                          parameters={"conf": 0.3})
    boxes, scores, labels = result.as_numpy("boxes"), result.as_numpy("scores"), result.as_numpy("labels")
    native = native_detect(url, api_key, image, "yolox-nano", 0.3)
    check(len(native) > 0 and len(native) == len(scores), f"pipeline: {len(scores)} detections, native {len(native)}")
    for box, score, label, expected in zip(boxes, scores, labels, native):
        bbox = expected["bbox"]
        corners = [bbox["x1"], bbox["y1"], bbox["x2"], bbox["y2"]]
        if label.decode() != expected["label"] or abs(score - expected["confidence"]) > 1e-6 or \
                max(abs(a - b) for a, b in zip(box, corners)) > 1e-3:
            fail(f"pipeline: {label.decode()} {score} {list(box)} differs from native {expected}")
    check(True, "pipeline: yolox-nano-detect equals /api/v1/detect")


def check_deepstack(url, api_key, image):
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    for custom in ("", "yolox-nano"):
        client = DeepstackObject(ip=host, port=int(port), api_key=api_key, timeout=60, min_confidence=0.45,
                                 custom_model=custom)
        predictions = client.detect(image)
        native = native_detect(url, api_key, image, custom or "yolov3-tiny", 0.45)
        where = f"deepstack-python ({'/v1/vision/custom/' + custom if custom else '/v1/vision/detection'})"
        check(len(predictions) > 0 and len(predictions) == len(native),
              f"{where}: {len(predictions)} predictions, native {len(native)}")
        for got, expected in zip(predictions, native):
            bbox = expected["bbox"]
            corners = {"x_min": bbox["x1"], "y_min": bbox["y1"], "x_max": bbox["x2"], "y_max": bbox["y2"]}
            if got["label"] != expected["label"] or abs(got["confidence"] - expected["confidence"]) > 1e-6 or \
                    any(not isinstance(got[k], int) or abs(got[k] - v) > 0.5 + 1e-6 for k, v in corners.items()):
                fail(f"{where}: {got} differs from native {expected}")
        check(True, f"{where}: equals /api/v1/detect")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--models", required=True, help="the folder holding the models' .onnx files")
    parser.add_argument("--image", required=True)
    arguments = parser.parse_args()
    with open(arguments.image, "rb") as file:
        image = file.read()
    client, headers = check_triton(arguments.url, arguments.api_key, arguments.models)
    check_pipeline(client, headers, arguments.url, arguments.api_key, image)
    check_deepstack(arguments.url, arguments.api_key, image)
    print("all compatibility checks passed")


if __name__ == "__main__":
    main()
