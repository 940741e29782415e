# The Prometheus handler benchmarks (bench/prometheus_benchmark.cc). prometheus-cpp, the C++
# client a user would otherwise pick, is benchmarked beside mixlet when it is installed
# (Debian: apt-get install prometheus-cpp-dev); the full hot-path row needs the router and the
# YAML loader.
if(TARGET mixlet_handler)
  find_package(prometheus-cpp CONFIG QUIET)
  set(_prometheus_bench_libs mixlet_handler)
  set(_prometheus_bench_defs "")
  if(prometheus-cpp_FOUND)
    list(APPEND _prometheus_bench_libs prometheus-cpp::core)
    list(APPEND _prometheus_bench_defs MIXLET_BENCH_HAVE_PROMETHEUS_CPP)
  else()
    message(STATUS "prometheus-cpp not found: prometheus_benchmark runs without its reference rows")
  endif()
  if(TARGET mixlet_router AND TARGET mixlet_yaml)
    list(APPEND _prometheus_bench_libs mixlet_router mixlet_yaml)
    list(APPEND _prometheus_bench_defs MIXLET_BENCH_HAVE_ROUTER)
  endif()
  mixlet_add_bench(prometheus_benchmark SOURCES prometheus_benchmark.cc LIBS ${_prometheus_bench_libs})
  target_compile_definitions(prometheus_benchmark PRIVATE ${_prometheus_bench_defs})
endif()
