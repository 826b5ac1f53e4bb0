// Decoding, ownership and orientation of shim images.
#include "CImaging.h"
#include "shim_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgproc.hpp>
#include <turbojpeg.h>
#include <climits>
#include <stdexcept>
#include <cstring>
#include <string>

using cimaging::guarded;
using cimaging::write_error;

namespace {

enum class TurboResult { decoded, truncated, unsupported, mismatch };

// TurboJPEG is the fast path; anything it cannot convert (CMYK, odd markers)
// falls back to OpenCV. A premature end of data is a truncated file, not a warning.
TurboResult decode_with_turbojpeg(const uint8_t *data, size_t length, int expected_width, int expected_height,
                                  cv::Mat &out) {
    tjhandle handle = tjInitDecompress();
    if (handle == nullptr) return TurboResult::unsupported;
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    auto *bytes = const_cast<unsigned char *>(data);
    if (tjDecompressHeader3(handle, bytes, (unsigned long)length, &width, &height, &subsampling, &colorspace) != 0) {
        tjDestroy(handle);
        return TurboResult::unsupported;
    }
    // The limits were checked against the header's size: never allocate for another one.
    if (width != expected_width || height != expected_height) {
        tjDestroy(handle);
        return TurboResult::mismatch;
    }
    out.create(height, width, CV_8UC3);
    int status = tjDecompress2(handle, bytes, (unsigned long)length, out.data, width, (int)out.step, height,
                               TJPF_BGR, TJFLAG_ACCURATEDCT);
    TurboResult result = TurboResult::decoded;
    if (status != 0) {
        std::string message = tjGetErrorStr2(handle);
        bool warning = tjGetErrorCode(handle) == TJERR_WARNING;
        if (message.find("Premature end") != std::string::npos) {
            result = TurboResult::truncated;
        } else if (!warning) {
            result = TurboResult::unsupported;
        }
    }
    tjDestroy(handle);
    return result;
}

} // namespace

void cimaging::silence_opencv_log() {
    static const bool silenced = [] {
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
        return true;
    }();
    (void)silenced;
}

extern "C" {

ci_image *ci_decode(const uint8_t *data, size_t length, int is_jpeg, int expected_width, int expected_height,
                    char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        if (data == nullptr || length == 0) {
            write_error(error, error_length, "empty image data");
            return nullptr;
        }
        // OpenCV takes the length as an int.
        if (length > (size_t)INT_MAX) {
            write_error(error, error_length, "the image data is too large");
            return nullptr;
        }
        cv::Mat mat;
        if (is_jpeg) {
            switch (decode_with_turbojpeg(data, length, expected_width, expected_height, mat)) {
            case TurboResult::decoded:
                return new ci_image{mat};
            case TurboResult::truncated:
                write_error(error, error_length, "the JPEG data is truncated");
                return nullptr;
            case TurboResult::mismatch:
                write_error(error, error_length, "the decoded size differs from the header");
                return nullptr;
            case TurboResult::unsupported:
                break;
            }
        }
        if (length >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
            std::string message;
            switch (cimaging::decode_png(data, length, expected_width, expected_height, mat, message)) {
            case cimaging::PNGResult::decoded:
                return new ci_image{mat};
            case cimaging::PNGResult::corrupt:
                write_error(error, error_length,
                            message == "truncated" ? "the PNG data is truncated"
                                                   : ("the PNG data is corrupt: " + message).c_str());
                return nullptr;
            case cimaging::PNGResult::mismatch:
                write_error(error, error_length, "the decoded size differs from the header");
                return nullptr;
            case cimaging::PNGResult::unsupported:
                break;
            }
        }
        cimaging::silence_opencv_log();
        cv::Mat encoded(1, (int)length, CV_8UC1, const_cast<uint8_t *>(data));
        mat = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
        if (mat.empty()) {
            write_error(error, error_length, "the image data is corrupt or truncated");
            return nullptr;
        }
        return new ci_image{mat};
    });
}

ci_image *ci_image_from_bgr(const uint8_t *pixels, int width, int height, char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(pixels));
        return new ci_image{view.clone()};
    });
}

ci_image *ci_image_clone(const ci_image *image) {
    return guarded<ci_image *>(nullptr, 0, nullptr, [&]() { return new ci_image{image->mat.clone()}; });
}

void ci_image_free(ci_image *image) { delete image; }

int ci_image_width(const ci_image *image) { return image->mat.cols; }
int ci_image_height(const ci_image *image) { return image->mat.rows; }

void ci_image_copy_bgr(const ci_image *image, uint8_t *out) {
    const cv::Mat &mat = image->mat;
    size_t row = (size_t)mat.cols * 3;
    for (int y = 0; y < mat.rows; y++) std::memcpy(out + row * y, mat.ptr(y), row);
}

int ci_image_orient(ci_image *image, int orientation, char *error, size_t error_length) {
    return guarded<int>(error, error_length, 1, [&]() {
        cv::Mat &m = image->mat;
        cv::Mat out;
        switch (orientation) {
        case 2: cv::flip(m, out, 1); break;
        case 3: cv::rotate(m, out, cv::ROTATE_180); break;
        case 4: cv::flip(m, out, 0); break;
        case 5: cv::transpose(m, out); break;
        case 6: cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE); break;
        case 7: cv::transpose(m, out); cv::flip(out, out, -1); break;
        case 8: cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
        default: return 0;
        }
        m = out;
        return 0;
    });
}

ci_image *ci_image_resized(const ci_image *image, int width, int height, char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        cv::Mat out;
        cv::resize(image->mat, out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
        return new ci_image{out};
    });
}

ci_image *ci_image_resampled(const ci_image *image, int width, int height, char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        const bool shrinking = width <= image->mat.cols && height <= image->mat.rows;
        cv::Mat out;
        cv::resize(image->mat, out, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_CUBIC);
        return new ci_image{out};
    });
}

ci_image *ci_image_cropped(const ci_image *image, int x, int y, int width, int height, char *error, size_t error_length) {
    return guarded<ci_image *>(error, error_length, nullptr, [&]() -> ci_image * {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image->mat.cols || y + height > image->mat.rows) {
            throw std::runtime_error("the crop lies outside the image");
        }
        return new ci_image{image->mat(cv::Rect(x, y, width, height)).clone()};
    });
}

} // extern "C"
