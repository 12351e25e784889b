print("aiops-bench")
