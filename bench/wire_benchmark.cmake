mixlet_add_bench(wire_benchmark
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/wire_benchmark.cc
  LIBS mixlet_wire)
