// Internal helpers shared by the shim's source files.
#pragma once

#include <opencv2/core.hpp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

struct ci_image {
    cv::Mat mat; // CV_8UC3, BGR
};

namespace cimaging {

inline void write_error(char *error, size_t length, const char *message) {
    if (error == nullptr || length == 0) return;
    std::snprintf(error, length, "%s", message);
}

/// Runs `body`, turning any exception into a message and `failure`.
template <typename Result, typename Body>
Result guarded(char *error, size_t length, Result failure, Body body) {
    try {
        return body();
    } catch (const cv::Exception &e) {
        write_error(error, length, e.err.c_str());
    } catch (const std::exception &e) {
        write_error(error, length, e.what());
    } catch (...) {
        write_error(error, length, "unknown imaging error");
    }
    return failure;
}

enum class PNGResult { decoded, corrupt, mismatch, unsupported };

/// Decodes a PNG into 8-bit BGR as OpenCV would; a broken file gives libpng's message.
PNGResult decode_png(const uint8_t *data, size_t length, int expected_width, int expected_height, cv::Mat &out,
                     std::string &message);

/// Keeps OpenCV's own log lines off the server's standard error: every failure is
/// reported through the shim's error messages instead.
void silence_opencv_log();

} // namespace cimaging
