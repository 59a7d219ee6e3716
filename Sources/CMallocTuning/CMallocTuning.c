#include "CMallocTuning.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void async_flows_keep_freed_memory(void) {
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
#endif
}
