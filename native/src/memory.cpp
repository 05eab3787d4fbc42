// Process memory policy for CPU tensors (libtorch allocates them with glibc's malloc).
//
// By default glibc returns freed memory to the kernel eagerly: blocks over a moving threshold are
// mmap'ed and unmapped one by one, and the top of the heap is trimmed as soon as 128 KiB or more
// is free there. A training step that frees its temporaries together at the end (a dispose
// scope) then faults every page back in on the next step: about 30,000 minor faults, 10% of
// the time, of the 4-block ViT step in bench/TorchBench. Fixed thresholds keep that memory for
// reuse; the resident size stays at the step's peak instead of swinging around it.
#include "shim.h"
#if defined(__GLIBC__)
#include <malloc.h>
#include <cstdlib>
#endif

//
// Each glibc arena keeps its own free memory, and a thread takes a new arena when the others are
// busy: tensors made on the feed's threads and freed on the trainer's spread over many arenas, each
// holding up to the trim threshold. Capping the arenas (arena_max > 0) bounds what is kept; the
// tiny pre-training's resident size then stays flat instead of climbing for ~450 steps
// (bench/feed.md). MALLOC_ARENA_MAX in the environment, when set, wins over arena_max.
//
// Blocks up to mmap_threshold bytes come from the heap (glibc caps it at 32 MiB on 64-bit); free
// memory at the heap top is returned only beyond trim_threshold bytes. Returns 0, or 1 where the
// C library refused the values or is not glibc.
CVM_API int cvm_malloc_retain_freed(int mmap_threshold, int trim_threshold, int arena_max) {
#if defined(__GLIBC__)
  bool ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
  if (arena_max > 0 && getenv("MALLOC_ARENA_MAX") == nullptr) ok = mallopt(M_ARENA_MAX, arena_max) == 1 && ok;
  return ok ? 0 : 1;
#else
  return 1;
#endif
}

// Returns the free memory inside the heaps to the kernel (glibc's malloc_trim, which also releases
// whole free pages in the middle of an arena, not only at its top). With freed memory retained
// (above), a long run's heap fragments: blocks of one step's sizes are left between live ones and
// the resident size creeps up. A trim every few hundred steps bounds that at one page fault per
// page reused. Returns 1 where memory was released, 0 where none was or the C library is not glibc.
CVM_API int cvm_malloc_trim() {
#if defined(__GLIBC__)
  return malloc_trim(0);
#else
  return 0;
#endif
}
