// Background removal after the model: the saliency map made into an alpha matte
// (refined), the cut-out with its edge colours decontaminated, and compositing.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

using cimaging::guarded;
using cimaging::write_error;

namespace {

/// Drops the 8-connected components of `mask` (0/255) smaller than `share` of the largest.
void drop_small_components(cv::Mat &mask, float share) {
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
    if (count <= 2) return; // background and at most one component
    int largest = 0;
    for (int label = 1; label < count; label++) largest = std::max(largest, stats.at<int>(label, cv::CC_STAT_AREA));
    const double minimum = share * largest;
    std::vector<uint8_t> keep(count, 0);
    for (int label = 1; label < count; label++) keep[label] = stats.at<int>(label, cv::CC_STAT_AREA) >= minimum ? 255 : 0;
    for (int row = 0; row < mask.rows; row++) {
        const int *labelRow = labels.ptr<int>(row);
        uint8_t *maskRow = mask.ptr<uint8_t>(row);
        for (int column = 0; column < mask.cols; column++) maskRow[column] = keep[labelRow[column]];
    }
}

/// The mean of `image` over the pixels where `weight` is 1, in a (2·radius+1)² window:
/// a box filter of the weighted image over a box filter of the weights (O(1) per pixel
/// whatever the radius). `coverage` is the weights' mean, 0 where none is near.
void local_mean(const cv::Mat &image, const cv::Mat &weight, int radius, cv::Mat &mean, cv::Mat &coverage) {
    const cv::Size window(2 * radius + 1, 2 * radius + 1);
    cv::Mat weighted;
    cv::Mat weight3;
    cv::merge(std::vector<cv::Mat>{weight, weight, weight}, weight3);
    cv::multiply(image, weight3, weighted);
    cv::blur(weighted, mean, window, cv::Point(-1, -1), cv::BORDER_REPLICATE);
    cv::blur(weight, coverage, window, cv::Point(-1, -1), cv::BORDER_REPLICATE);
    cv::Mat safe = cv::max(coverage, 1e-6);
    cv::Mat safe3;
    cv::merge(std::vector<cv::Mat>{safe, safe, safe}, safe3);
    cv::divide(mean, safe3, mean);
}

} // namespace

extern "C" {

int ci_matte(const float *saliency, int map_width, int map_height, int width, int height,
             const ci_matte_params *params, uint8_t *alpha, char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        if (map_width <= 0 || map_height <= 0 || width <= 0 || height <= 0) {
            write_error(error, error_length, "empty saliency map or image");
            return 1;
        }
        cv::Mat map(map_height, map_width, CV_32F, const_cast<float *>(saliency));
        double low = 0, high = 0;
        cv::minMaxLoc(map, &low, &high);
        // Min-max normalised as the model's authors (and rembg) do: its raw output is a
        // sigmoid whose range varies from image to image.
        cv::Mat normalised;
        map.convertTo(normalised, CV_32F, high > low ? 1.0 / (high - low) : 0.0, high > low ? -low / (high - low) : 0.0);
        // Upscaled once, at model resolution in and image resolution out; everything after
        // works on the image's pixels.
        cv::Mat full;
        cv::resize(normalised, full, cv::Size(width, height), 0, 0, cv::INTER_LANCZOS4);
        cv::Mat out(height, width, CV_8U, alpha);
        if (!params->refine) {
            full.convertTo(out, CV_8U, 255.0);
            return 0;
        }
        cv::Mat mask;
        cv::threshold(full, mask, params->threshold, 255.0, cv::THRESH_BINARY);
        mask.convertTo(mask, CV_8U);
        if (params->kernel > 1) {
            const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(params->kernel, params->kernel));
            // Closing fills pinholes and notches; opening then removes specks and spurs.
            cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
            cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
        }
        if (params->min_component > 0) drop_small_components(mask, params->min_component);
        if (params->feather > 0) {
            const double sigma = params->feather;
            const int size = 2 * (int)std::ceil(3 * sigma) + 1;
            cv::Mat soft;
            cv::GaussianBlur(mask, soft, cv::Size(size, size), sigma, sigma, cv::BORDER_REPLICATE);
            // The half-opaque contour stays on the refined edge: inside it the alpha is at
            // least 128, outside at most 127.
            cv::Mat inside = cv::max(soft, 128), outside = cv::min(soft, 127);
            outside.copyTo(out);
            inside.copyTo(out, mask);
        } else {
            mask.copyTo(out);
        }
        return 0;
    });
}

int ci_cutout(const ci_image *image, const uint8_t *alpha, int decontaminate_radius, uint8_t *bgra, char *error,
              size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        const cv::Mat &bgr = image->mat;
        cv::Mat matte(bgr.rows, bgr.cols, CV_8U, const_cast<uint8_t *>(alpha));
        cv::Mat colour = bgr;
        cv::Mat decontaminated;
        if (decontaminate_radius > 0) {
            // An edge pixel is a blend I = a·F + (1−a)·B of the object's colour F and the old
            // background's B. With B estimated from the background pixels nearby, F is solved
            // for; where a is small that is unstable, so F leans on the object's colour nearby.
            cv::Mat pixels, a;
            bgr.convertTo(pixels, CV_32FC3);
            matte.convertTo(a, CV_32F, 1.0 / 255.0);
            cv::Mat foreground = a >= 0.95f, background = a <= 0.05f;
            foreground.convertTo(foreground, CV_32F, 1.0 / 255.0);
            background.convertTo(background, CV_32F, 1.0 / 255.0);
            cv::Mat foregroundMean, foregroundCover, backgroundMean, backgroundCover;
            local_mean(pixels, foreground, decontaminate_radius, foregroundMean, foregroundCover);
            local_mean(pixels, background, decontaminate_radius, backgroundMean, backgroundCover);
            decontaminated = bgr.clone();
            for (int row = 0; row < bgr.rows; row++) {
                const float *aRow = a.ptr<float>(row);
                const cv::Vec3f *iRow = pixels.ptr<cv::Vec3f>(row);
                const cv::Vec3f *fRow = foregroundMean.ptr<cv::Vec3f>(row);
                const cv::Vec3f *bRow = backgroundMean.ptr<cv::Vec3f>(row);
                const float *fCover = foregroundCover.ptr<float>(row);
                const float *bCover = backgroundCover.ptr<float>(row);
                cv::Vec3b *outRow = decontaminated.ptr<cv::Vec3b>(row);
                for (int column = 0; column < bgr.cols; column++) {
                    const float value = aRow[column];
                    if (value <= 0.0f || value >= 0.95f) continue;
                    cv::Vec3f solved = iRow[column];
                    if (bCover[column] > 0.0f) {
                        solved = (iRow[column] - (1.0f - value) * bRow[column]) / std::max(value, 0.05f);
                    }
                    // Trust the solution fully from a = 0.5 up, not at all at 0.
                    const float trust = std::min(1.0f, value / 0.5f);
                    cv::Vec3f result = fCover[column] > 0.0f ? trust * solved + (1.0f - trust) * fRow[column] : solved;
                    for (int channel = 0; channel < 3; channel++) {
                        outRow[column][channel] = cv::saturate_cast<uint8_t>(result[channel]);
                    }
                }
            }
            colour = decontaminated;
        }
        // Merged straight into the caller's buffer (same size and type: no reallocation).
        cv::Mat out(bgr.rows, bgr.cols, CV_8UC4, bgra);
        std::vector<cv::Mat> channels;
        cv::split(colour, channels);
        channels.push_back(matte);
        cv::merge(channels, out);
        return 0;
    });
}

ci_image *ci_composite(const uint8_t *bgra, int width, int height, size_t row_bytes, const ci_image *background,
                       uint8_t r, uint8_t g, uint8_t b, char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        cv::Mat cut(height, width, CV_8UC4, const_cast<uint8_t *>(bgra), row_bytes);
        cv::Mat behind;
        if (background != nullptr) {
            // Scaled to cover the cut-out, then centred and cropped (as CSS's `cover`).
            const cv::Mat &source = background->mat;
            const double scale = std::max((double)width / source.cols, (double)height / source.rows);
            const int scaledWidth = std::max(width, (int)std::ceil(source.cols * scale));
            const int scaledHeight = std::max(height, (int)std::ceil(source.rows * scale));
            cv::Mat scaled;
            cv::resize(source, scaled, cv::Size(scaledWidth, scaledHeight), 0, 0, cv::INTER_LINEAR);
            behind = scaled(cv::Rect((scaledWidth - width) / 2, (scaledHeight - height) / 2, width, height)).clone();
        } else {
            behind = cv::Mat(height, width, CV_8UC3, cv::Scalar(b, g, r));
        }
        for (int row = 0; row < height; row++) {
            const cv::Vec4b *cutRow = cut.ptr<cv::Vec4b>(row);
            cv::Vec3b *outRow = behind.ptr<cv::Vec3b>(row);
            for (int column = 0; column < width; column++) {
                const int a = cutRow[column][3];
                for (int channel = 0; channel < 3; channel++) {
                    outRow[column][channel] =
                        (uint8_t)((cutRow[column][channel] * a + outRow[column][channel] * (255 - a) + 127) / 255);
                }
            }
        }
        return new ci_image{behind};
    });
}

int ci_alpha_bounds(const uint8_t *alpha, int width, int height, int *x, int *y, int *bounds_width, int *bounds_height) {
    return guarded<int>(nullptr, 0, 1, [&]() {
        cv::Mat matte(height, width, CV_8U, const_cast<uint8_t *>(alpha));
        const cv::Rect box = cv::boundingRect(matte);
        *x = box.x;
        *y = box.y;
        *bounds_width = box.width;
        *bounds_height = box.height;
        return 0;
    });
}

} // extern "C"
