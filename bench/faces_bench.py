"""CenterFace time per image: Argus's POST /api/v1/faces against the reference Python
pipeline (bench/reference/centerface_ref.py: onnxruntime + OpenCV + numpy) in the same run.

    faces_bench.py --url http://127.0.0.1:8080 --token TOKEN --model models/centerface.onnx IMAGE... [--runs N]

Both run one image at a time with one ONNX Runtime thread (start Argus with
ARGUS_INFERENCE_THREADS=1). Prints, per image, the median of N runs: Argus's whole
request (client side), its inference stage (timings_ms.inference), and the reference's
whole pipeline.
"""

import argparse
import json
import statistics
import sys
import time
import urllib.request

import cv2
import onnxruntime

sys.path.insert(0, __file__.rsplit("/", 1)[0] + "/reference")
import centerface_ref  # noqa: E402


def post(url, token, image):
    boundary = "argus-faces-bench"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"i.jpg\"\r\n\r\n").encode() \
        + image + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}/api/v1/faces", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("images", nargs="+")
    arguments = parser.parse_args()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(arguments.model, options, providers=["CPUExecutionProvider"])
    print("| image | faces | Argus request ms | Argus inference ms | reference ms | ratio |")
    print("|---|---|---|---|---|---|")
    for path in arguments.images:
        with open(path, "rb") as file:
            image = file.read()
        post(arguments.url, arguments.token, image)  # warm-up: loads the model
        argus, inference, reference = [], [], []
        for _ in range(arguments.runs):
            start = time.perf_counter()
            answer = post(arguments.url, arguments.token, image)
            argus.append((time.perf_counter() - start) * 1000)
            inference.append(answer["timings_ms"]["inference"])
            start = time.perf_counter()
            rgb = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            faces = centerface_ref.detect(session, rgb, 0.5, 0)
            reference.append((time.perf_counter() - start) * 1000)
        a, r = statistics.median(argus), statistics.median(reference)
        print(f"| {path.rsplit('/', 1)[-1]} | {len(answer['faces'])}/{len(faces)} | {a:.0f} | "
              f"{statistics.median(inference):.0f} | {r:.0f} | {r / a:.2f}x |")


if __name__ == "__main__":
    main()
