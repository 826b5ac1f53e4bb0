#ifndef ARGUS_CVECTORSCAN_H
#define ARGUS_CVECTORSCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Writes, for each of `count` rows of `dimension` bytes (row after row in `rows`), the
/// exact integer dot product of the row with `query` into `out[row]`. Every code must lie
/// in -127...127 (the kernels take absolute values and signs in 8 bits).
void argus_int8_dots(const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out);

/// The kernels, best last.
enum argus_int8_kernel { ARGUS_INT8_PORTABLE = 0, ARGUS_INT8_AVX2 = 1, ARGUS_INT8_AVX512_VNNI = 2 };

/// The best kernel this CPU (and OS) can run: the one `argus_int8_dots` uses.
int argus_int8_best_kernel(void);

/// `argus_int8_dots` with a chosen kernel (for tests and benchmarks): 0, or -1 when this CPU
/// cannot run it.
int argus_int8_dots_with(int kernel, const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out);

#ifdef __cplusplus
}
#endif

#endif
