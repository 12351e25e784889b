extension Collection {
    /// The first index whose element satisfies `belongs`, for a predicate that is false and
    /// then true along the collection; `endIndex` when it never holds.
    /// - Complexity: O(log n) predicate calls.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongs(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
