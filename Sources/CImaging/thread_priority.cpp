// Thread priority for the inference threads (see InferencePool): on Linux, nice applies
// to the one thread whose id is given.
#include "CImaging.h"

#include <sys/resource.h>
#include <unistd.h>

extern "C" int ci_set_thread_nice(int nice) {
#if defined(__linux__)
    return setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
#else
    (void)nice;
    return -1;
#endif
}
