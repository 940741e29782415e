mixlet_add_bench(expr_benchmark SOURCES expr_benchmark.cc LIBS mixlet_expr)
