// Circle finding: OpenCV's Hough gradient transform, with a confidence measured as
// the share of each circle's perimeter that lies on an edge.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

using cimaging::guarded;

namespace {

/// Fraction of points sampled along the circle with a Canny edge within one pixel.
float perimeter_support(const cv::Mat &edges, float cx, float cy, float radius) {
    const int samples = std::max(32, static_cast<int>(2 * CV_PI * radius));
    int hits = 0;
    for (int i = 0; i < samples; ++i) {
        const double angle = 2 * CV_PI * i / samples;
        const int x = static_cast<int>(std::lround(cx + radius * std::cos(angle)));
        const int y = static_cast<int>(std::lround(cy + radius * std::sin(angle)));
        bool hit = false;
        for (int dy = -1; dy <= 1 && !hit; ++dy) {
            for (int dx = -1; dx <= 1 && !hit; ++dx) {
                const int px = x + dx, py = y + dy;
                hit = px >= 0 && py >= 0 && px < edges.cols && py < edges.rows && edges.at<uchar>(py, px) != 0;
            }
        }
        hits += hit ? 1 : 0;
    }
    return static_cast<float>(hits) / samples;
}

} // namespace

extern "C" {

int ci_find_circles(const ci_image *image, const ci_circle_params *params, ci_circle *out, int capacity, int *count,
                    char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        cv::Mat gray;
        cv::cvtColor(image->mat, gray, cv::COLOR_BGR2GRAY);
        if (params->blur_kernel >= 3) cv::medianBlur(gray, gray, params->blur_kernel | 1);
        std::vector<cv::Vec3f> found;
        cv::HoughCircles(gray, found, cv::HOUGH_GRADIENT, params->dp, params->min_distance, params->canny_threshold,
                         params->accumulator_threshold, params->min_radius, params->max_radius);
        cv::Mat edges;
        cv::Canny(gray, edges, params->canny_threshold / 2, params->canny_threshold);
        int written = 0;
        for (const auto &circle : found) {
            if (written >= capacity) break;
            out[written] = ci_circle{circle[0], circle[1], circle[2],
                                     perimeter_support(edges, circle[0], circle[1], circle[2])};
            ++written;
        }
        *count = written;
        return 0;
    });
}

} // extern "C"
