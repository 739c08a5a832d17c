/// The elements of one list node: an array that keeps spare room at its front as well as its back, so that
/// LPUSH and LPOP on a node of a thousand elements move none of them (a plain array shifts them all).
///
/// The room at the front holds empty placeholders, which cost no allocation; it is made in one step as large
/// as the node when a head insert finds none, so the shifting is amortized, and it is given back when removals
/// from the head leave more room than elements, so a node used as a queue does not grow without bound.
public struct ListNodeItems: RandomAccessCollection {
    private var slots: [Bytes]
    /// slots[..<head] are placeholders.
    private var head = 0

    init(_ items: [Bytes]) { slots = items }

    public var startIndex: Int { 0 }
    public var endIndex: Int { slots.count - head }
    public subscript(i: Int) -> Bytes { slots[head + i] }

    mutating func replace(at i: Int, with e: Bytes) { slots[head + i] = e }

    mutating func insert(_ e: consuming Bytes, at i: Int) {
        guard i == 0 else {
            slots.insert(e, at: head + i)
            return
        }
        if head == 0 {
            head = Swift.max(8, count)
            slots.insert(contentsOf: repeatElement(Bytes(), count: head), at: 0)
        }
        head -= 1
        slots[head] = e
    }

    mutating func append(contentsOf elements: ListNodeItems) {
        slots.append(contentsOf: elements.slots[elements.head...])
    }

    mutating func remove(at i: Int) -> Bytes {
        guard i == 0 else { return slots.remove(at: head + i) }
        let e = slots[head]
        slots[head] = Bytes()
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 16 && head > count {
            slots.removeFirst(head)
            head = 0
        }
        return e
    }

    /// Elements and placeholders held, so tests can check that the room at the front is bounded.
    var slotCount: Int { slots.count }

    /// The storage, so tests can tell whether a write copied the node.
    var storageIdentity: UnsafeRawPointer? {
        slots.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
}
