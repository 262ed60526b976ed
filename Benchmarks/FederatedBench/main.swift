print("federated-bench: no benchmarks yet")
