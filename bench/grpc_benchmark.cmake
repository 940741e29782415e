# The Report server's loopback throughput (mixlet::grpc) beside in-process decode + dispatch.
if(TARGET mixlet_grpc AND TARGET mixlet_yaml)
  find_package(gRPC CONFIG REQUIRED)
  mixlet_add_bench(grpc_benchmark
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/grpc_benchmark.cc
    LIBS mixlet_grpc mixlet_yaml mixlet_handler gRPC::grpc++)
endif()
