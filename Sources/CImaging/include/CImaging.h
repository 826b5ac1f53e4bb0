#ifndef CIMAGING_H
#define CIMAGING_H

// A small C API over OpenCV and TurboJPEG. Every function catches its own C++
// exceptions: failures come back as a non-zero status (or NULL) with a message
// written into the caller's `error` buffer.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An 8-bit, 3-channel BGR image owned by the shim.
typedef struct ci_image ci_image;

/// Decodes JPEG (TurboJPEG), PNG, WebP or BMP (OpenCV) into BGR without applying
/// EXIF orientation (the caller passes it to ci_image_orient). `expected_width` and
/// `expected_height` are the size the caller read (and checked) from the header: a JPEG
/// whose decoder sees another size fails before any pixel memory is allocated.
ci_image *ci_decode(const uint8_t *data, size_t length, int is_jpeg, int expected_width, int expected_height,
                    char *error, size_t error_length);

/// Wraps a copy of tightly packed BGR pixels.
ci_image *ci_image_from_bgr(const uint8_t *pixels, int width, int height, char *error, size_t error_length);
ci_image *ci_image_clone(const ci_image *image);
void ci_image_free(ci_image *image);

int ci_image_width(const ci_image *image);
int ci_image_height(const ci_image *image);
/// Copies tightly packed BGR pixels (width * height * 3 bytes) into `out`.
void ci_image_copy_bgr(const ci_image *image, uint8_t *out);

/// Applies an EXIF orientation (1-8) in place; 1 or unknown values do nothing.
int ci_image_orient(ci_image *image, int orientation, char *error, size_t error_length);

/// A resized copy (bilinear; area when shrinking a lot is not used on purpose so
/// results match the reference pipelines).
ci_image *ci_image_resized(const ci_image *image, int width, int height, char *error, size_t error_length);
/// A resized copy without aliasing: pixel area averaging when shrinking, bicubic when growing.
ci_image *ci_image_resampled(const ci_image *image, int width, int height, char *error, size_t error_length);
/// A copy of the `width`×`height` rectangle at (x, y), which must lie inside the image.
ci_image *ci_image_cropped(const ci_image *image, int x, int y, int width, int height, char *error, size_t error_length);

enum ci_resize_mode {
    CI_RESIZE_STRETCH = 0,           // plain resize to the input size
    CI_RESIZE_LETTERBOX_TOP_LEFT = 1, // keep aspect, pad right and bottom
    CI_RESIZE_LETTERBOX_CENTER = 2,   // keep aspect, pad evenly around
};

/// How a tensor maps back to the source image: source = (tensor - pad) / scale.
typedef struct ci_geometry {
    float scale_x, scale_y;
    float pad_x, pad_y;
} ci_geometry;

typedef struct ci_tensor_spec {
    int width, height;
    int mode;           // ci_resize_mode
    int pad_value;      // 0-255, letterbox only
    int rgb;            // 1: channel 0 is red; 0: BGR order
    float mean[3];      // subtracted after multiplying by `scale`
    float inv_std[3];   // multiplied after subtracting mean
    float scale;        // pixel multiplier applied first (1/255 or 1)
} ci_tensor_spec;

/// Resizes and normalises into a planar float tensor (3 x height x width) at `out`.
int ci_make_tensor(const ci_image *image, const ci_tensor_spec *spec, float *out, ci_geometry *geometry,
                   char *error, size_t error_length);

enum ci_encode_format { CI_ENCODE_JPEG = 0, CI_ENCODE_PNG = 1, CI_ENCODE_WEBP = 2 };

/// Encodes into a malloc'd buffer the caller frees with ci_buffer_free.
int ci_encode(const ci_image *image, int format, int quality, uint8_t **out, size_t *out_length,
              char *error, size_t error_length);
/// Encodes 8-bit pixels that are not a ci_image: 1 (grey), 3 (BGR) or 4 (BGRA) channels,
/// rows `row_bytes` apart (so a crop is a pointer and a size). WebP quality above 100 is lossless.
int ci_encode_pixels(const uint8_t *pixels, int width, int height, int channels, size_t row_bytes, int format,
                     int quality, uint8_t **out, size_t *out_length, char *error, size_t error_length);
void ci_buffer_free(uint8_t *buffer);

/// Draws a labelled rectangle or circle in place. Colours are RGB bytes.
void ci_draw_box(ci_image *image, float x1, float y1, float x2, float y2, uint8_t r, uint8_t g, uint8_t b,
                 const char *label, int thickness);
void ci_draw_circle(ci_image *image, float cx, float cy, float radius, uint8_t r, uint8_t g, uint8_t b,
                    const char *label, int thickness);
/// Draws `count` points (x, y pairs in `xy`) joined by lines, the last back to the first
/// when `closed`: track trails, counting lines and zones.
void ci_draw_polyline(ci_image *image, const float *xy, int count, int closed, uint8_t r, uint8_t g, uint8_t b,
                      int thickness);
/// Draws a label (text on a filled box in the colour) just above (x, y), as box labels sit.
void ci_draw_text(ci_image *image, float x, float y, uint8_t r, uint8_t g, uint8_t b, const char *text);

enum ci_redact_method { CI_REDACT_BLUR = 0, CI_REDACT_PIXELATE = 1, CI_REDACT_BOX = 2 };

/// Hides a region in place (clipped to the image): a Gaussian blur strong enough that no
/// feature survives, coarse pixels (about 6 blocks across the region), or a solid black box.
int ci_redact(ci_image *image, float x1, float y1, float x2, float y2, int method, char *error, size_t error_length);

typedef struct ci_matte_params {
    int refine;          // 0: the normalised saliency itself is the alpha (as rembg answers)
    float threshold;     // 0-1: foreground where the normalised saliency is at least this
    int kernel;          // closing then opening with an elliptical kernel this wide (px); < 2: none
    float min_component; // components under this share of the largest one's area are dropped; 0: none
    float feather;       // Gaussian sigma (px) softening the refined edge; 0: a hard edge
} ci_matte_params;

/// The alpha matte (width x height bytes into `alpha`) of an image from its saliency map
/// (map_width x map_height floats, any range: min-max normalised here), upscaled once.
int ci_matte(const float *saliency, int map_width, int map_height, int width, int height,
             const ci_matte_params *params, uint8_t *alpha, char *error, size_t error_length);

/// The cut-out: BGRA (width x height x 4 into `bgra`) of `image` with `alpha`. With a
/// radius > 0, the colours of edge pixels (0 < alpha < 0.95) are decontaminated: the old
/// background's colour, estimated from background pixels within the radius, is taken out.
int ci_cutout(const ci_image *image, const uint8_t *alpha, int decontaminate_radius, uint8_t *bgra, char *error,
              size_t error_length);

/// A BGRA cut-out (rows `row_bytes` apart) over `background` (scaled to cover and centred)
/// or, when it is NULL, over the colour r, g, b.
ci_image *ci_composite(const uint8_t *bgra, int width, int height, size_t row_bytes, const ci_image *background,
                       uint8_t r, uint8_t g, uint8_t b, char *error, size_t error_length);

/// The smallest rectangle holding every non-zero alpha (0 x 0 when there is none).
int ci_alpha_bounds(const uint8_t *alpha, int width, int height, int *x, int *y, int *bounds_width, int *bounds_height);

typedef struct ci_circle_params {
    double dp;                    // accumulator resolution: 1 = the image's
    double min_distance;          // between centres, pixels
    double canny_threshold;       // upper Canny threshold (the lower is half)
    double accumulator_threshold; // votes a centre needs: lower finds more, and more false circles
    int min_radius, max_radius;   // pixels; max 0: no limit
    int blur_kernel;              // median blur before the transform (odd, 0 or 1: none)
    int max_side;                 // the transform works on the image scaled down to this longer side; 0: as is
    double max_edge_share;        // raise the Canny threshold until at most this share of pixels are edges; 0: never
} ci_circle_params;

typedef struct ci_circle {
    float cx, cy, radius;
    float support; // 0-1: share of the perimeter on an edge
} ci_circle;

/// Finds circles with OpenCV's Hough gradient transform; writes at most `capacity`
/// (strongest first, in the image's own pixels) and their number into `count`, and the
/// Canny threshold it used (raised by `max_edge_share`) into `used_canny_threshold`.
int ci_find_circles(const ci_image *image, const ci_circle_params *params, ci_circle *out, int capacity, int *count,
                    double *used_canny_threshold, char *error, size_t error_length);

/// Lowers the calling thread's scheduling priority to `nice` (Linux: per thread). Returns
/// 0, or -1 when the system refused.
int ci_set_thread_nice(int nice);

#ifdef __cplusplus
}
#endif

#endif
