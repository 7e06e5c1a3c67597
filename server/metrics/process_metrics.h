// The standard process_* gauges, read from /proc when scraped (Linux only,
// as perch is): start time, open descriptors, resident memory, threads.
#ifndef PERCH_SERVER_METRICS_PROCESS_METRICS_H_
#define PERCH_SERVER_METRICS_PROCESS_METRICS_H_

#include "server/metrics/registry.h"

namespace perch::metrics {

// Adds process_start_time_seconds, process_open_fds,
// process_resident_memory_bytes and process_threads to `registry`. A figure
// /proc does not give reads as NaN (never seen on Linux).
void AddProcessMetrics(Registry& registry);

// The figures themselves, for tests.
double ProcessStartTimeSeconds();
double ProcessOpenFds();
double ProcessResidentMemoryBytes();
double ProcessThreads();

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_PROCESS_METRICS_H_
