// PNG decoding with libpng directly, for what OpenCV's decoder cannot give: libpng's
// own message for a broken file, in the API's answer instead of a line of its own on
// the server's standard error. The pixels are OpenCV's: 8 bits (16-bit samples keep
// their high byte), alpha dropped (not composited), palettes and grey expanded, BGR.
#include "shim_support.hpp"

#include <png.h>
#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct MemoryReader {
    const uint8_t *data;
    size_t length;
    size_t offset;
};

struct ErrorState {
    std::jmp_buf jump;
    char message[256];
};

void read_from_memory(png_structp png, png_bytep out, png_size_t count) {
    auto *reader = static_cast<MemoryReader *>(png_get_io_ptr(png));
    if (count > reader->length - reader->offset) png_error(png, "truncated");
    std::memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

// libpng's default handlers print to stderr: errors are kept for the answer, warnings dropped.
[[noreturn]] void keep_error(png_structp png, png_const_charp message) {
    auto *state = static_cast<ErrorState *>(png_get_error_ptr(png));
    std::snprintf(state->message, sizeof state->message, "%s", message);
    std::longjmp(state->jump, 1);
}

void drop_warning(png_structp, png_const_charp) {}

} // namespace

namespace cimaging {

PNGResult decode_png(const uint8_t *data, size_t length, int expected_width, int expected_height, cv::Mat &out,
                     std::string &message) {
    ErrorState state{};
    MemoryReader reader{data, length, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, keep_error, drop_warning);
    if (png == nullptr) return PNGResult::unsupported;
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        return PNGResult::unsupported;
    }
    // Row pointers live outside libpng's frames, so a jump back here skips no destructor.
    std::vector<png_bytep> rows;
    if (setjmp(state.jump) != 0) {
        png_destroy_read_struct(&png, &info, nullptr);
        message = state.message;
        return PNGResult::corrupt;
    }
    png_set_read_fn(png, &reader, read_from_memory);
    // Never allocate for more than the header promised and the limits allowed.
    png_set_user_limits(png, static_cast<png_uint_32>(expected_width), static_cast<png_uint_32>(expected_height));
    png_read_info(png, info);
    const png_uint_32 width = png_get_image_width(png, info);
    const png_uint_32 height = png_get_image_height(png, info);
    if (static_cast<int>(width) != expected_width || static_cast<int>(height) != expected_height) {
        png_destroy_read_struct(&png, &info, nullptr);
        return PNGResult::mismatch;
    }
    const int depth = png_get_bit_depth(png, info);
    const int color = png_get_color_type(png, info);
    if (depth == 16) png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((color & PNG_COLOR_MASK_COLOR) == 0 && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (color & PNG_COLOR_MASK_COLOR) {
        png_set_bgr(png);
    } else {
        png_set_gray_to_rgb(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    out.create(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
    rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y) rows[y] = out.ptr<png_byte>(static_cast<int>(y));
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return PNGResult::decoded;
}

} // namespace cimaging
