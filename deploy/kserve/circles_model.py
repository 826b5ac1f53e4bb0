"""A KServe predictor that finds circles, speaking the Open Inference Protocol v2.

Input:  `image`, UINT8, shape [height, width, 3], RGB (JSON or the binary tensor extension).
        Request parameters (all optional): min_radius, max_radius, min_dist,
        edge_threshold, accumulator_threshold.
Output: `circles`, FP32, shape [N, 4]: centre x, centre y, radius, confidence, where the
        confidence is the share of the circle's perimeter that lies on an edge.

Run locally:   python circles_model.py --http_port 8085 --model_name circles
On Kubernetes: build the Dockerfile beside this file and apply inference-service.yaml.
"""

import argparse
import math
import uuid

import cv2
import numpy as np
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer, model_server


def parameter(parameters, name, default):
    """A request parameter as a float, whatever wrapper the transport used."""
    if not parameters or name not in parameters:
        return default
    value = parameters[name]
    for attribute in ("int64_param", "double_param", "string_param"):
        if hasattr(value, attribute) and value.HasField(attribute):
            value = getattr(value, attribute)
            break
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def perimeter_support(edges, cx, cy, radius):
    samples = max(32, int(2 * math.pi * radius))
    angles = np.arange(samples) * (2 * math.pi / samples)
    xs = np.rint(cx + radius * np.cos(angles)).astype(int)
    ys = np.rint(cy + radius * np.sin(angles)).astype(int)
    # An edge within one pixel counts: dilate once instead of probing 3x3 per sample.
    near = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    inside = (xs >= 0) & (ys >= 0) & (xs < edges.shape[1]) & (ys < edges.shape[0])
    hits = np.zeros(samples, dtype=bool)
    hits[inside] = near[ys[inside], xs[inside]] != 0
    return float(hits.mean())


def find_circles(rgb, parameters):
    height, width = rgb.shape[:2]
    min_radius = int(parameter(parameters, "min_radius", 5))
    max_radius = int(parameter(parameters, "max_radius", 0)) or max(min_radius, min(width, height) // 2)
    min_dist = parameter(parameters, "min_dist", 0) or max(8, min_radius)
    edge = parameter(parameters, "edge_threshold", 100)
    votes = parameter(parameters, "accumulator_threshold", 30)
    gray = cv2.medianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), 5)
    found = cv2.HoughCircles(gray, cv2.HOUGH_GRADIENT, dp=1, minDist=min_dist, param1=edge, param2=votes,
                             minRadius=min_radius, maxRadius=max_radius)
    edges = cv2.Canny(gray, edge / 2, edge)
    rows = []
    for cx, cy, radius in ([] if found is None else found[0]):
        rows.append([cx, cy, radius, perimeter_support(edges, cx, cy, radius)])
    return np.array(rows, dtype=np.float32).reshape(-1, 4)


class CirclesModel(Model):
    def __init__(self, name):
        super().__init__(name)
        self.ready = True

    async def predict(self, payload: InferRequest, headers=None, response_headers=None):
        image = payload.inputs[0].as_numpy()
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected a UINT8 [height, width, 3] image, got {image.dtype} {list(image.shape)}")
        circles = find_circles(np.ascontiguousarray(image), payload.parameters)
        output = InferOutput(name="circles", shape=list(circles.shape), datatype="FP32")
        output.set_data_from_numpy(circles, binary_data=False)
        return InferResponse(model_name=self.name, infer_outputs=[output], response_id=payload.id or str(uuid.uuid4()))

    # What GET /v2/models/{name} reports.
    def get_input_types(self):
        return [{"name": "image", "datatype": "UINT8", "shape": [-1, -1, 3]}]

    def get_output_types(self):
        return [{"name": "circles", "datatype": "FP32", "shape": [-1, 4]}]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser], conflict_handler="resolve")
    parser.add_argument("--model_name", default="circles", help="The name the model is served under.")
    arguments, _ = parser.parse_known_args()
    ModelServer(http_port=arguments.http_port, grpc_port=arguments.grpc_port, enable_grpc=False).start(
        [CirclesModel(arguments.model_name)])
