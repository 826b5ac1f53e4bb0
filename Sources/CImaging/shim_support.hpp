// Internal helpers shared by the shim's source files.
#pragma once

#include <opencv2/core.hpp>
#include <cstdio>
#include <cstring>
#include <exception>

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

} // namespace cimaging
