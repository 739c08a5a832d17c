/// The SCAN family's walk: elements come in ascending hash order and the cursor is the next hash to visit, so
/// an element present for the whole iteration is returned whatever splits or growth happen between calls.
/// Elements sharing a hash come together so the cursor can move past them.
///
/// `collect(cursor, &batch)` appends the elements of the bucket holding `cursor` whose hash is at least
/// `cursor`, and returns how many leading hash bits that bucket covers. Returns the next cursor, 0 at the end.
func hashOrderScan<Item>(cursor start: UInt64, count: Int,
                         collect: (UInt64, inout [(hash: UInt64, item: Item)]) -> Int,
                         visit: (Item) -> Void) -> UInt64 {
    var cursor = start
    var remaining = max(count, 1)
    var batch: [(hash: UInt64, item: Item)] = []
    while true {
        batch.removeAll(keepingCapacity: true)
        let depth = collect(cursor, &batch)
        let shift = UInt64(64 - depth)
        let prefixEnd: UInt64 = depth == 0 ? 0 : ((cursor >> shift) &+ 1) << shift
        batch.sort { $0.hash < $1.hash }
        var k = 0
        while k < batch.count {
            let h = batch[k].hash
            if remaining <= 0 { return h }
            while k < batch.count && batch[k].hash == h {
                visit(batch[k].item)
                k += 1
                remaining -= 1
            }
        }
        if prefixEnd == 0 { return 0 }
        cursor = prefixEnd
        if remaining <= 0 { return cursor }
    }
}
