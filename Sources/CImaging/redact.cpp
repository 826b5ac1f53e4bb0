// Redaction of regions (faces) in place: blur, pixelate or a solid box.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>

using cimaging::guarded;

int ci_redact(ci_image *image, float x1, float y1, float x2, float y2, int method, char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        cv::Mat &mat = image->mat;
        auto clampTo = [](float value, int limit) {
            if (std::isnan(value)) return 0;
            return (int)std::clamp(std::lround(value), 0L, (long)limit);
        };
        const int left = clampTo(x1, mat.cols), top = clampTo(y1, mat.rows);
        const int right = clampTo(x2, mat.cols), bottom = clampTo(y2, mat.rows);
        if (right <= left || bottom <= top) return 0;
        cv::Mat region = mat(cv::Rect(left, top, right - left, bottom - top));
        const int side = std::max(region.cols, region.rows);
        switch (method) {
        case CI_REDACT_BLUR: {
            // A sigma of a quarter of the region leaves no edge a detector could find.
            const double sigma = std::max(2.0, side / 4.0);
            const int kernel = 2 * (int)std::ceil(3 * sigma) + 1;
            cv::GaussianBlur(region, region, cv::Size(kernel, kernel), sigma, sigma, cv::BORDER_REPLICATE);
            break;
        }
        case CI_REDACT_PIXELATE: {
            const int blocks = 6;
            cv::Mat small;
            cv::resize(region, small, cv::Size(std::max(1, region.cols * blocks / side), std::max(1, region.rows * blocks / side)),
                       0, 0, cv::INTER_AREA);
            cv::resize(small, region, region.size(), 0, 0, cv::INTER_NEAREST);
            break;
        }
        default:
            region.setTo(cv::Scalar(0, 0, 0));
            break;
        }
        return 0;
    });
}
