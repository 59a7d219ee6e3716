#ifndef C_MALLOC_TUNING_H
#define C_MALLOC_TUNING_H

/// Tells glibc's allocator to keep freed memory for reuse instead of handing it back to the kernel at once: no trim
/// below 64 MiB of free space at an arena's top, and blocks up to 16 MiB served from the heap rather than by mmap.
/// Does nothing on other C libraries.
void async_flows_keep_freed_memory(void);

#endif
