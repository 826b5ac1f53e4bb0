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
                    double *used_canny_threshold, char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        cv::Mat gray;
        cv::cvtColor(image->mat, gray, cv::COLOR_BGR2GRAY);
        // The transform's cost grows with pixels times edge points: both are bounded.
        double scale = 1;
        const int longer = std::max(gray.cols, gray.rows);
        if (params->max_side > 0 && longer > params->max_side) {
            scale = static_cast<double>(params->max_side) / longer;
            cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
        }
        if (params->blur_kernel >= 3) cv::medianBlur(gray, gray, params->blur_kernel | 1);
        // A textured photo can be a quarter edges, and the transform then takes tens of
        // seconds finding noise: raise the threshold until edges are sparse.
        double canny = params->canny_threshold;
        cv::Mat edges;
        cv::Canny(gray, edges, canny / 2, canny);
        if (params->max_edge_share > 0) {
            const double limit = params->max_edge_share * static_cast<double>(edges.total());
            // From at least 1 (a tiny threshold such as 5e-324 times 1.25 is itself again),
            // in at most 40 steps: 1.25^40 covers 1 to 1000 several times over.
            for (int step = 0; step < 40 && canny < 1000 && cv::countNonZero(edges) > limit; ++step) {
                canny = std::min(1000.0, std::max(canny, 1.0) * 1.25);
                cv::Canny(gray, edges, canny / 2, canny);
            }
        }
        *used_canny_threshold = canny;
        const int min_radius = std::max(1, static_cast<int>(std::lround(params->min_radius * scale)));
        const int max_radius = params->max_radius > 0 ? std::max(min_radius, static_cast<int>(std::lround(params->max_radius * scale))) : 0;
        std::vector<cv::Vec3f> found;
        cv::HoughCircles(gray, found, cv::HOUGH_GRADIENT, params->dp, std::max(1.0, params->min_distance * scale), canny,
                         params->accumulator_threshold, min_radius, max_radius);
        int written = 0;
        for (const auto &circle : found) {
            if (written >= capacity) break;
            const float support = perimeter_support(edges, circle[0], circle[1], circle[2]);
            out[written] = ci_circle{static_cast<float>(circle[0] / scale), static_cast<float>(circle[1] / scale),
                                     static_cast<float>(circle[2] / scale), support};
            ++written;
        }
        *count = written;
        return 0;
    });
}

} // extern "C"
