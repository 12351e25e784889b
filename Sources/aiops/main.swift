print("aiops")
