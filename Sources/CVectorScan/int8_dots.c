// Integer dot products of one query with many rows, the scan of the vector index's first
// pass. The binary is built for the baseline x86-64 (SSE2), so the wide kernels are
// compiled for their own instruction sets and chosen at run time from what the CPU (and
// the OS, which must save the wider registers) supports.
#include "CVectorScan.h"

// The product of two codes, summed in 32 bits: 1280 products of at most 127 * 127 stay
// far below its range.
static void dots_portable(const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        int32_t sum = 0;
        for (size_t j = 0; j < dimension; j++) sum += (int32_t)query[j] * (int32_t)values[j];
        out[row] = sum;
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// One row after another, read in order (a single stream, which the prefetcher follows
// best: reading four rows side by side measured twice as slow), with two chains of
// additions in flight. VPDPBUSD multiplies unsigned by signed bytes: the query's absolute
// value times the row's code with the query's sign.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void dots_vnni(
    const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    const size_t chunks = dimension / 64, tail = chunks * 64;
    const __m512i zero = _mm512_setzero_si512();
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m512i even = zero, odd = zero;
        for (size_t c = 0; c < chunks; c++) {
            const __m512i q = _mm512_loadu_si512(query + c * 64);
            const __m512i v = _mm512_loadu_si512(values + c * 64);
            const __m512i signed_v = _mm512_mask_sub_epi8(v, _mm512_movepi8_mask(q), zero, v);
            if (c & 1)
                odd = _mm512_dpbusd_epi32(odd, _mm512_abs_epi8(q), signed_v);
            else
                even = _mm512_dpbusd_epi32(even, _mm512_abs_epi8(q), signed_v);
        }
        int32_t sum = _mm512_reduce_add_epi32(_mm512_add_epi32(even, odd));
        for (size_t j = tail; j < dimension; j++) sum += (int32_t)query[j] * values[j];
        out[row] = sum;
    }
}

__attribute__((target("avx2"))) static int32_t sum_avx2(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// The same order of reading. VPMADDUBSW multiplies unsigned by signed bytes into pairs of
// 16-bit sums: with codes in -127...127 a pair is at most 2 * 127 * 127, below its
// saturation.
__attribute__((target("avx2"))) static void dots_avx2(
    const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    const size_t chunks = dimension / 32, tail = chunks * 32;
    const __m256i ones = _mm256_set1_epi16(1);
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m256i even = _mm256_setzero_si256(), odd = even;
        for (size_t c = 0; c < chunks; c++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(query + c * 32));
            const __m256i v = _mm256_loadu_si256((const __m256i *)(values + c * 32));
            const __m256i products = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(v, q)), ones);
            if (c & 1)
                odd = _mm256_add_epi32(odd, products);
            else
                even = _mm256_add_epi32(even, products);
        }
        int32_t sum = sum_avx2(_mm256_add_epi32(even, odd));
        for (size_t j = tail; j < dimension; j++) sum += (int32_t)query[j] * values[j];
        out[row] = sum;
    }
}

int argus_int8_best_kernel(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        return ARGUS_INT8_AVX512_VNNI;
    if (__builtin_cpu_supports("avx2")) return ARGUS_INT8_AVX2;
    return ARGUS_INT8_PORTABLE;
}

int argus_int8_dots_with(int kernel, const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    if (kernel < ARGUS_INT8_PORTABLE || kernel > argus_int8_best_kernel()) return -1;
    switch (kernel) {
    case ARGUS_INT8_AVX512_VNNI: dots_vnni(query, rows, count, dimension, out); break;
    case ARGUS_INT8_AVX2: dots_avx2(query, rows, count, dimension, out); break;
    default: dots_portable(query, rows, count, dimension, out); break;
    }
    return 0;
}

#else

int argus_int8_best_kernel(void) { return ARGUS_INT8_PORTABLE; }

int argus_int8_dots_with(int kernel, const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    if (kernel != ARGUS_INT8_PORTABLE) return -1;
    dots_portable(query, rows, count, dimension, out);
    return 0;
}

#endif

void argus_int8_dots(const int8_t *query, const int8_t *rows, size_t count, size_t dimension, int32_t *out) {
    argus_int8_dots_with(argus_int8_best_kernel(), query, rows, count, dimension, out);
}
