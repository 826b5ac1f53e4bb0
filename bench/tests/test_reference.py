"""Unit tests of the reference's post-processing/decoders and of parity.py's matching.

    .deps/venv-bench/bin/python -m unittest discover -s bench/tests -v
Synthetic tensors only: no model files or images needed, runs in well under a second.
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH / "reference"))
sys.path.insert(0, str(BENCH))

import argus_ref as ref  # noqa: E402
import parity  # noqa: E402


def geo(w=100, h=100):
    return ref.Geometry(w, h, 1.0, 1.0)


def one_hot(n, k):
    v = np.zeros(n, np.float32)
    v[k] = 1.0
    return v


class PostprocessTests(unittest.TestCase):
    def run_pp(self, boxes, scores, classes, conf=0.25, iou=0.45, max_det=300, g=None,
               obj=None):
        cls = np.stack([one_hot(80, c) * s for c, s in zip(classes, scores)])
        return ref.postprocess(np.array(boxes, np.float64),
                               None if obj is None else np.array(obj, np.float32),
                               cls, g or geo(), conf, iou, max_det)

    def test_same_class_overlap_is_suppressed_other_class_kept(self):
        d = self.run_pp([[0, 0, 10, 10], [1, 0, 11, 10], [0, 0, 10, 10]],
                        [0.9, 0.8, 0.7], [0, 0, 1])
        self.assertEqual([(x.class_id, round(x.score, 2)) for x in d], [(0, 0.9), (1, 0.7)])

    def test_iou_equal_to_threshold_is_kept(self):
        # IoU of [0,0,10,10] and [5,0,15,10] = 50/150 = 1/3
        d = self.run_pp([[0, 0, 10, 10], [5, 0, 15, 10]], [0.9, 0.8], [3, 3], iou=1 / 3)
        self.assertEqual(len(d), 2)
        d = self.run_pp([[0, 0, 10, 10], [5, 0, 15, 10]], [0.9, 0.8], [3, 3], iou=0.33)
        self.assertEqual(len(d), 1)

    def test_conf_is_inclusive_and_score_is_obj_times_cls(self):
        d = self.run_pp([[0, 0, 1, 1], [20, 20, 30, 30]], [0.5, 0.5], [0, 0],
                        obj=[0.5, 0.4], conf=0.25)
        self.assertEqual(len(d), 1)
        self.assertAlmostEqual(d[0].score, 0.25, places=6)

    def test_clip_and_unletterbox(self):
        g = ref.Geometry(50, 40, 2.0, 2.0, pad_left=4, pad_top=10)
        d = self.run_pp([[0, 0, 60, 200]], [0.9], [0], g=g)
        self.assertEqual((d[0].x1, d[0].y1, d[0].x2, d[0].y2), (0.0, 0.0, 28.0, 40.0))

    def test_max_det_keeps_the_best(self):
        boxes = [[i * 20, 0, i * 20 + 10, 10] for i in range(5)]
        d = self.run_pp(boxes, [0.3, 0.9, 0.5, 0.8, 0.4], [0] * 5, max_det=2)
        self.assertEqual([round(x.score, 2) for x in d], [0.9, 0.8])

    def test_argmax_label(self):
        cls = np.zeros((1, 80), np.float32)
        cls[0, 7], cls[0, 9] = 0.6, 0.7
        d = ref.postprocess(np.array([[0, 0, 5, 5]], float), None, cls, geo())
        self.assertEqual((d[0].class_id, round(d[0].score, 2)), (9, 0.7))


class DecoderTests(unittest.TestCase):
    def test_gfl_one_hot_bins(self):
        # 320 input, strides 8/16/32/64 -> N = 1600/400/100/25
        outs = {}
        for i, n in enumerate((1600, 400, 100, 25)):
            outs[f"cls{i}"] = np.zeros((1, n, 80), np.float32)
            box = np.full((1, n, 4, 8), -50.0, np.float32)
            box[..., 2] = 50.0  # every side: distance 2 bins
            outs[f"box{i}"] = box.reshape(1, n, 32)
        boxes, obj, cls = ref.decode_gfl(outs, 320)
        self.assertIsNone(obj)
        self.assertEqual(boxes.shape, (2125, 4))
        # point 0 of stride 8: centre (4,4), distance 16 each side
        np.testing.assert_allclose(boxes[0], [-12, -12, 20, 20], atol=1e-4)
        # point 1 of stride 8: col 1
        np.testing.assert_allclose(boxes[1], [-4, -12, 28, 20], atol=1e-4)
        # first point of stride 64 (after 2100 points): centre (32,32), distance 128
        np.testing.assert_allclose(boxes[2100], [-96, -96, 160, 160], atol=1e-3)

    def test_gfl_tensor_order_does_not_matter(self):
        outs = {f"t{i}": np.random.default_rng(i).normal(size=(1, n, c)).astype(np.float32)
                for i, (n, c) in enumerate([(2704, 80), (676, 80), (169, 80),
                                            (2704, 32), (676, 32), (169, 32)])}
        shuffled = dict(reversed(list(outs.items())))
        a, b = ref.decode_gfl(outs, 416), ref.decode_gfl(shuffled, 416)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[2], b[2])

    def test_yolov3_tiny_layout(self):
        s32 = np.zeros((1, 255, 13, 13), np.float32)
        s16 = np.zeros((1, 255, 26, 26), np.float32)
        # anchor 1 of stride 16 at row 2, col 3: tx=ty=0 -> centre (3.5*16, 2.5*16)
        s16[0, 85 + 4, 2, 3] = 10.0  # objectness
        boxes, obj, cls = ref.decode_yolov3_tiny({"yolo_s16": s16, "yolo_s32": s32})
        i = int(np.argmax(obj))
        cx, cy = (boxes[i, 0] + boxes[i, 2]) / 2, (boxes[i, 1] + boxes[i, 3]) / 2
        w, h = boxes[i, 2] - boxes[i, 0], boxes[i, 3] - boxes[i, 1]
        np.testing.assert_allclose([cx, cy, w, h], [56, 40, 23, 27], atol=1e-6)

    def test_yolox_grid(self):
        p = np.zeros((1, 3549, 85), np.float32)
        boxes, _, _ = ref.decode_yolox({"output": p})
        # last point: stride 32, row 12, col 12 -> centre 384, size 32
        np.testing.assert_allclose(boxes[-1], [368, 368, 400, 400], atol=1e-6)
        # point 53: stride 8, row 1, col 1
        np.testing.assert_allclose(boxes[53], [4, 4, 12, 12], atol=1e-6)


class PreprocessTests(unittest.TestCase):
    def test_letterbox_geometry(self):
        img = np.zeros((375, 500, 3), np.uint8)
        _, g = ref.pre_yolov8(img)
        self.assertEqual((g.pad_left, g.pad_top, g.scale_x), (0, 80, 1.28))
        _, g = ref.pre_nanodet(img)
        self.assertEqual((g.pad_left, g.pad_top), (0, 52))
        t, g = ref.pre_yolox(img)
        self.assertEqual((g.pad_left, g.pad_top), (0, 0))
        self.assertTrue((t[0, :, 312:, :] == 114).all())

    def test_image_id(self):
        self.assertEqual(ref.image_id_from_name("000000000009.jpg"), 9)
        self.assertEqual(ref.image_id_from_name("darknet_dog.jpg"), 0)


class MatchTests(unittest.TestCase):
    @staticmethod
    def rec(box, score, cat=1, name="a.jpg"):
        return {"file_name": name, "image_id": 1, "category_id": cat, "bbox": box,
                "score": score}

    def test_identical(self):
        d = [self.rec([0, 0, 10, 10], 0.9), self.rec([50, 50, 10, 10], 0.5)]
        self.assertEqual(parity.match_rate(d, d), (2, 2))

    def test_rejections(self):
        src = [self.rec([0, 0, 10, 10], 0.9)]
        self.assertEqual(parity.match_rate(src, [self.rec([0, 0, 10, 10], 0.87)])[0], 0)
        self.assertEqual(parity.match_rate(src, [self.rec([0, 0, 10, 10], 0.9, 2)])[0], 0)
        self.assertEqual(parity.match_rate(src, [self.rec([0, 0, 10, 10], 0.9, 1, "b")])[0],
                         0)
        self.assertEqual(parity.match_rate(src, [self.rec([1, 0, 10, 10], 0.9)])[0], 0)
        self.assertEqual(parity.match_rate(src, [self.rec([0.2, 0, 10, 10], 0.88)])[0], 1)

    def test_one_to_one(self):
        src = [self.rec([0, 0, 10, 10], 0.9), self.rec([0, 0, 10, 10.1], 0.89)]
        self.assertEqual(parity.match_rate(src, [self.rec([0, 0, 10, 10], 0.9)]), (1, 2))


if __name__ == "__main__":
    unittest.main()
