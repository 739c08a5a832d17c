import Dispatch
import Synchronization
import CairnEngine

/// Loading on two threads: a reader thread reads, decompresses, checks and builds each key's entry, and the
/// calling thread inserts the entries into the keyspace. They exchange immutable batches in file order through
/// a queue a few batches deep, so memory stays bounded however large the file is.
final class RDBLoadPipeline: @unchecked Sendable {
    // @unchecked: `queue` is only touched under its mutex; a batch belongs to the reader until it is queued and
    // to the consumer after, and the semaphores order those hand-offs.

    /// One step of the file, in order.
    enum Item {
        /// A key's entry with its IDLE/FREQ hints, and the file offset after it (for a duplicate-key error).
        case entry(db: Int, Entry, idle: Int64?, freq: UInt8?, offset: Int)
        case record(RDBRecord, offset: Int)
        case expired
        case empty
        /// The reader stopped: at EOF (nil) or on an error; nothing follows.
        case end(RDBError?)
    }

    static let batchSize = 1024
    private let queue = Mutex<[[Item]]>([])
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let stopped = Atomic<Bool>(false)

    init(depth: Int = 8) { free = DispatchSemaphore(value: depth) }

    /// Starts the reader thread; `read` appends items to the batch it is given and returns false at the end.
    func start(_ read: @escaping (inout [Item]) -> Bool) {
        _ = BackgroundJob(name: "cairn-rdb-read", yielding: false) { [self] in
            var more = true
            while more {
                var batch: [Item] = []
                batch.reserveCapacity(Self.batchSize)
                while more && batch.count < Self.batchSize {
                    // The consumer gave up (a duplicate key): finish at once, but still end the stream.
                    if stopped.load(ordering: .relaxed) {
                        batch.append(.end(nil))
                        more = false
                    } else {
                        more = read(&batch)
                    }
                }
                free.wait()
                queue.withLock { $0.append(batch) }
                filled.signal()
            }
        }
    }

    /// The next batch, waiting for the reader; the last one ends with `.end`.
    func next() -> [Item] {
        filled.wait()
        let batch = queue.withLock { $0.removeFirst() }
        free.signal()
        return batch
    }

    /// Tells the reader to stop and waits until it has, so the input is no longer used when this returns.
    func stopAndDrain() {
        stopped.store(true, ordering: .relaxed)
        while true {
            if case .end = next().last { return }
        }
    }
}
