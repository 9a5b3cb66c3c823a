// jemalloc's options for every Sluice binary, read by jemalloc at its first
// allocation (MALLOC_CONF in the environment still overrides them).
//
// Sluice keeps every queued intent's manifest (a few KiB each) until its pod
// exists, so a deep backlog means hundreds of MiB touched for the first time.
// On 4 KiB pages that is one page fault per one or two intents, and page faults
// are expensive on virtual machines: bench_grpc_intake under `perf stat` went
// from 108,821 faults and 2,580 ms task-clock to 10,297 faults and 1,872 ms with
// transparent huge pages for jemalloc's extents. The cost is up to 2 MiB of
// RSS per partly used huge page; background_thread returns freed memory to the
// kernel off the request path.
//
// kubesim (SLUICE_MALLOC_NO_THP) is built without them: it keeps ~16 KiB per
// pod (800 MB for the 50,000-pod benchmark), allocated from 64+ HTTP worker
// threads, and there huge pages cost more than they save. Unthrottled e2e on
// a 2-core VM, kubesim CPU per pod: 185 and 177 us with huge pages, 139 and
// 136 us without (the same ~770 MB peak RSS either way; perf shows the
// difference in clear_page_erms under huge-page faults).
//
// Compiled into each executable (not a library) so the symbol is always linked.
extern "C" {
#ifdef SLUICE_MALLOC_NO_THP
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables)
const char* malloc_conf = "metadata_thp:auto,background_thread:true";
#else
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables)
const char* malloc_conf = "thp:always,metadata_thp:auto,background_thread:true";
#endif
}
