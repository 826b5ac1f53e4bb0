// Encoding for served images and drawing for annotated output.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

using cimaging::guarded;
using cimaging::write_error;

namespace {

// Coordinates come from models and model servers: NaN, infinity or a value past int
// makes the float-to-int conversion undefined and the label arithmetic overflow.
// 2^24 px is far outside any image, so clamping there changes nothing that is drawn.
float coordinate(float value) {
    constexpr float limit = 16777216.0f;
    return std::isnan(value) ? 0.0f : std::clamp(value, -limit, limit);
}

int rounded(float value) { return (int)std::lround(coordinate(value)); }

void draw_label(cv::Mat &mat, const char *label, cv::Point anchor, const cv::Scalar &colour) {
    if (label == nullptr || label[0] == '\0') return;
    const int font = cv::FONT_HERSHEY_SIMPLEX;
    const double scale = std::max(0.4, std::min(mat.cols, mat.rows) / 1000.0);
    int baseline = 0;
    cv::Size size = cv::getTextSize(label, font, scale, 1, &baseline);
    int top = std::max(anchor.y - size.height - baseline - 2, 0);
    cv::Rect background(anchor.x, top, size.width + 4, size.height + baseline + 2);
    cv::rectangle(mat, background, colour, cv::FILLED);
    // Dark text on light colours, light text on dark ones.
    double luma = 0.114 * colour[0] + 0.587 * colour[1] + 0.299 * colour[2];
    cv::Scalar text = luma > 140 ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255);
    cv::putText(mat, label, cv::Point(anchor.x + 2, top + size.height + 1), font, scale, text, 1, cv::LINE_AA);
}

} // namespace

extern "C" {

int ci_encode_pixels(const uint8_t *pixels, int width, int height, int channels, size_t row_bytes, int format,
                     int quality, uint8_t **out, size_t *out_length, char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        if (channels != 1 && channels != 3 && channels != 4) {
            write_error(error, error_length, "only 1, 3 or 4 channels can be encoded");
            return 1;
        }
        const cv::Mat mat(height, width, CV_8UC(channels), const_cast<uint8_t *>(pixels), row_bytes);
        std::vector<uchar> bytes;
        std::vector<int> params;
        const char *extension = ".png";
        if (format == CI_ENCODE_JPEG) {
            extension = ".jpg";
            params = {cv::IMWRITE_JPEG_QUALITY, quality};
        } else if (format == CI_ENCODE_WEBP) {
            // Above 100 is lossless.
            extension = ".webp";
            params = {cv::IMWRITE_WEBP_QUALITY, std::clamp(quality, 1, 101)};
        }
        if (!cv::imencode(extension, mat, bytes, params)) {
            write_error(error, error_length, "encoding failed");
            return 1;
        }
        auto *buffer = static_cast<uint8_t *>(std::malloc(bytes.size()));
        if (buffer == nullptr) {
            write_error(error, error_length, "out of memory");
            return 1;
        }
        std::memcpy(buffer, bytes.data(), bytes.size());
        *out = buffer;
        *out_length = bytes.size();
        return 0;
    });
}

int ci_encode(const ci_image *image, int format, int quality, uint8_t **out, size_t *out_length, char *error,
              size_t error_length) {
    const cv::Mat &mat = image->mat;
    return ci_encode_pixels(mat.data, mat.cols, mat.rows, 3, mat.step, format, quality, out, out_length, error,
                            error_length);
}

void ci_buffer_free(uint8_t *buffer) { std::free(buffer); }

void ci_draw_box(ci_image *image, float x1, float y1, float x2, float y2, uint8_t r, uint8_t g, uint8_t b,
                 const char *label, int thickness) {
    guarded<int>(nullptr, 0, 1, [&]() {
        cv::Scalar colour(b, g, r);
        cv::Point top_left(rounded(x1), rounded(y1));
        cv::rectangle(image->mat, top_left, cv::Point(rounded(x2), rounded(y2)), colour,
                      std::max(thickness, 1), cv::LINE_AA);
        draw_label(image->mat, label, top_left, colour);
        return 0;
    });
}

void ci_draw_circle(ci_image *image, float cx, float cy, float radius, uint8_t r, uint8_t g, uint8_t b,
                    const char *label, int thickness) {
    guarded<int>(nullptr, 0, 1, [&]() {
        cv::Scalar colour(b, g, r);
        cv::Point centre(rounded(cx), rounded(cy));
        cv::circle(image->mat, centre, rounded(radius), colour, std::max(thickness, 1), cv::LINE_AA);
        cv::drawMarker(image->mat, centre, colour, cv::MARKER_CROSS, 8, 1);
        const int offset = (int)coordinate(radius);
        draw_label(image->mat, label, cv::Point(centre.x - offset, centre.y - offset), colour);
        return 0;
    });
}

void ci_draw_polyline(ci_image *image, const float *xy, int count, int closed, uint8_t r, uint8_t g, uint8_t b,
                      int thickness) {
    guarded<int>(nullptr, 0, 1, [&]() {
        if (xy == nullptr || count < 2) return 0;
        std::vector<cv::Point> points;
        points.reserve((size_t)count);
        for (int i = 0; i < count; i++) points.emplace_back(rounded(xy[2 * i]), rounded(xy[2 * i + 1]));
        cv::polylines(image->mat, points, closed != 0, cv::Scalar(b, g, r), std::max(thickness, 1), cv::LINE_AA);
        return 0;
    });
}

void ci_draw_text(ci_image *image, float x, float y, uint8_t r, uint8_t g, uint8_t b, const char *text) {
    guarded<int>(nullptr, 0, 1, [&]() {
        draw_label(image->mat, text, cv::Point(rounded(x), rounded(y)), cv::Scalar(b, g, r));
        return 0;
    });
}

} // extern "C"
