import Dispatch
import Synchronization
import CairnEngine

/// Loading on two threads: a reader thread reads, decompresses, checks and builds each key's entry and hashes
/// its key, and the calling thread inserts the entries into the keyspace. They exchange immutable batches in
/// file order through a queue a few batches deep, so memory stays bounded however large the file is.
final class RDBLoadPipeline: @unchecked Sendable {
    // @unchecked: `queue` is only touched under its mutex; a batch belongs to the reader until it is queued and
    // to the consumer after, and the semaphores order those hand-offs.

    /// One step of the file, in order.
    enum Item {
        /// A key's entry, taken with `Batch.takeEntry`, and the file offset after it (for a duplicate-key error).
        case entry(offset: Int)
        case record(RDBRecord, offset: Int)
        case expired
        case empty
        /// The reader stopped: at EOF (nil) or on an error; nothing follows.
        case end(RDBError?)
    }

    /// Items in file order, and beside each the database and hash of the key it inserts (hash 0, which KeyHash
    /// never gives, for the other items): kept apart so that the consumer reads the keys to come, to prefetch
    /// their segments, without touching their entries. Items are moved in and out of raw storage: an array
    /// copied each one in and destroyed the original, which for this enum costs a call that switches on its case.
    /// Entries (their access fields already set from the IDLE/FREQ hints) are kept apart from the items, moved out
    /// by `takeEntry`: inside an item's payload the consumer's switch copied each out and destroyed the item, 190
    /// instructions a key.
    final class Batch {
        private let items: UnsafeMutablePointer<Item>
        private let keys: UnsafeMutablePointer<(db: Int, hash: UInt64)>
        private let entries: UnsafeMutablePointer<Entry>
        private(set) var count = 0
        private var entryCount = 0
        /// Items (entries) before this one were moved out by the consumer, which takes them in order.
        private var taken = 0
        private var entriesTaken = 0
        /// Set by the reader on the batch that ends the stream (with `.end`).
        fileprivate(set) var isLast = false

        init() {
            items = .allocate(capacity: RDBLoadPipeline.batchSize)
            keys = .allocate(capacity: RDBLoadPipeline.batchSize)
            entries = .allocate(capacity: RDBLoadPipeline.batchSize)
        }

        deinit {
            (items + taken).deinitialize(count: count - taken)
            (entries + entriesTaken).deinitialize(count: entryCount - entriesTaken)
            items.deallocate()
            keys.deallocate()
            entries.deallocate()
        }

        fileprivate func append(_ item: consuming Item, db: Int = 0, hash: UInt64 = 0) {
            (items + count).initialize(to: item)
            keys[count] = (db, hash)
            count += 1
        }

        fileprivate func append(_ entry: consuming Entry, offset: Int, db: Int, hash: UInt64) {
            (entries + entryCount).initialize(to: consume entry)
            entryCount += 1
            append(.entry(offset: offset), db: db, hash: hash)
        }

        func key(_ i: Int) -> (db: Int, hash: UInt64) { keys[i] }

        /// Moves out the entry of the `.entry` item just taken.
        func takeEntry() -> Entry {
            entriesTaken += 1
            return (entries + entriesTaken - 1).move()
        }

        /// Moves out the next item not yet taken.
        func take() -> Item {
            taken += 1
            return (items + taken - 1).move()
        }
    }

    /// What the reader's closure fills: a batch it can only append to.
    struct Appender {
        fileprivate let batch: Batch

        func append(_ item: consuming Item) { batch.append(item) }

        func append(_ entry: consuming Entry, offset: Int, db: Int, hash: UInt64) {
            batch.append(consume entry, offset: offset, db: db, hash: hash)
        }
    }

    static let batchSize = 1024
    private let queue = Mutex<[Batch]>([])
    private let filled = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let stopped = Atomic<Bool>(false)

    init(depth: Int = 8) { free = DispatchSemaphore(value: depth) }

    /// Starts the reader thread; `read` appends items through the appender it is given and returns false at the
    /// end (after appending `.end`).
    func start(_ read: @escaping (Appender) -> Bool) {
        _ = BackgroundJob(name: "cairn-rdb-read", yielding: false) { [self] in
            var more = true
            while more {
                let batch = Batch()
                while more && batch.count < Self.batchSize {
                    // The consumer gave up (a duplicate key): finish at once, but still end the stream.
                    if stopped.load(ordering: .relaxed) {
                        batch.append(.end(nil))
                        more = false
                    } else {
                        more = read(Appender(batch: batch))
                    }
                }
                batch.isLast = !more
                free.wait()
                queue.withLock { $0.append(batch) }
                filled.signal()
            }
        }
    }

    /// The next batch, waiting for the reader; the last one (`isLast`) ends with `.end`.
    func next() -> Batch {
        filled.wait()
        let batch = queue.withLock { $0.removeFirst() }
        free.signal()
        return batch
    }

    /// Tells the reader to stop and waits until it has, so the input is no longer used when this returns.
    func stopAndDrain() {
        stopped.store(true, ordering: .relaxed)
        while true {
            if next().isLast { return }
        }
    }
}
