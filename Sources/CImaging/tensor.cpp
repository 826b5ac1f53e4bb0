// Model input preparation: resize or letterbox, then normalise into planar floats.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>

using cimaging::guarded;

namespace {

// Fits the source into the tensor keeping its aspect ratio. The top-left anchor
// truncates the new size (as YOLOX does); the centred one rounds it (as Ultralytics
// and NanoDet do) and pads floor(slack / 2) before.
cv::Mat letterbox(const cv::Mat &source, const ci_tensor_spec &spec, ci_geometry &geometry) {
    // Double precision on purpose: the reference implementations compute the ratio in
    // Python floats, and 773 * (416 / 773) truncates to 415 there, not 416.
    double ratio = std::min((double)spec.width / source.cols, (double)spec.height / source.rows);
    bool centred = spec.mode == CI_RESIZE_LETTERBOX_CENTER;
    int new_width = centred ? (int)std::lround(source.cols * ratio) : (int)(source.cols * ratio);
    int new_height = centred ? (int)std::lround(source.rows * ratio) : (int)(source.rows * ratio);
    new_width = std::clamp(new_width, 1, spec.width);
    new_height = std::clamp(new_height, 1, spec.height);
    int left = centred ? (spec.width - new_width) / 2 : 0;
    int top = centred ? (spec.height - new_height) / 2 : 0;

    cv::Mat canvas(spec.height, spec.width, CV_8UC3, cv::Scalar::all(spec.pad_value));
    cv::Mat target = canvas(cv::Rect(left, top, new_width, new_height));
    if (new_width == source.cols && new_height == source.rows) {
        source.copyTo(target);
    } else {
        cv::resize(source, target, cv::Size(new_width, new_height), 0, 0, cv::INTER_LINEAR);
    }
    geometry = ci_geometry{(float)ratio, (float)ratio, (float)left, (float)top};
    return canvas;
}

cv::Mat stretch(const cv::Mat &source, const ci_tensor_spec &spec, ci_geometry &geometry) {
    geometry = ci_geometry{(float)spec.width / source.cols, (float)spec.height / source.rows, 0, 0};
    if (source.cols == spec.width && source.rows == spec.height) return source;
    cv::Mat out;
    cv::resize(source, out, cv::Size(spec.width, spec.height), 0, 0, cv::INTER_LINEAR);
    return out;
}

} // namespace

extern "C" int ci_make_tensor(const ci_image *image, const ci_tensor_spec *spec, float *out, ci_geometry *geometry,
                              char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        const cv::Mat &source = image->mat;
        cv::Mat sized = spec->mode == CI_RESIZE_STRETCH ? stretch(source, *spec, *geometry)
                                                        : letterbox(source, *spec, *geometry);
        const size_t plane = (size_t)spec->width * spec->height;
        // Channel c of the tensor reads BGR byte `order[c]`.
        const int order[3] = {spec->rgb ? 2 : 0, 1, spec->rgb ? 0 : 2};
        float multiply[3], add[3];
        for (int c = 0; c < 3; c++) {
            multiply[c] = spec->scale * spec->inv_std[c];
            add[c] = -spec->mean[c] * spec->inv_std[c];
        }
        for (int y = 0; y < spec->height; y++) {
            const uint8_t *row = sized.ptr<uint8_t>(y);
            float *r0 = out + (size_t)y * spec->width;
            float *r1 = r0 + plane;
            float *r2 = r1 + plane;
            for (int x = 0; x < spec->width; x++) {
                const uint8_t *px = row + x * 3;
                r0[x] = px[order[0]] * multiply[0] + add[0];
                r1[x] = px[order[1]] * multiply[1] + add[1];
                r2[x] = px[order[2]] * multiply[2] + add[2];
            }
        }
        return 0;
    });
}
