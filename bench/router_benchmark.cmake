if(TARGET mixlet_router AND TARGET mixlet_yaml)
  mixlet_add_bench(router_benchmark SOURCES router_benchmark.cc LIBS mixlet_router mixlet_yaml)
endif()
