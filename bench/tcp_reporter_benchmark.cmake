mixlet_add_bench(tcp_reporter_benchmark
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tcp_reporter_benchmark.cc
  LIBS mixlet_proxy absl::synchronization)
