// Process-wide settings of the C library, made before main so that they hold for every
// thread.
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>

// glibc gives each thread that allocates its own malloc arena, and memory freed into an
// arena stays resident: with Swift's, NIO's and ONNX Runtime's threads all touching one
// upload, a 9.6 MB upload left 19-52 MiB behind, against 18.5 MiB (its file and its
// pixels) with one arena, at the same throughput (bench/upload_memory.py, benchmarks.md).
// mallopt limits only arenas made after it, hence a constructor. MALLOC_ARENA_MAX, when
// set, wins (glibc reads it itself).
__attribute__((constructor)) static void argus_limit_malloc_arenas() {
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
}
#endif
