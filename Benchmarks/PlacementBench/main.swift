print("placement-bench: no benchmarks yet")
