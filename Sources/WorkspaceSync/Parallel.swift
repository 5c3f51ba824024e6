import Dispatch
import Foundation

/// Pure work spread over the machine's cores: a push of thousands of documents parses,
/// checks and renders each on its own, and those steps touch nothing shared (Swift 6
/// checks that what runs here is `Sendable`). Reads of the client repository and writes to
/// the store stay on the calling thread.
enum Parallel {
    /// Below this many items per extra thread, one thread is quicker than starting more.
    static let minimumPerThread = 16

    /// `transform` of each of `items`, in their order, computed on up to as many threads
    /// as the machine has active cores.
    static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @Sendable (T) -> U) -> [U] {
        let threads = min(ProcessInfo.processInfo.activeProcessorCount, items.count / minimumPerThread)
        guard threads > 1 else { return items.map(transform) }
        let slots = UnsafeMutableBufferPointer<U?>.allocate(capacity: items.count)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        // Each thread writes only its own slots (every `threads`-th one, so each gets a fair
        // share of large and small documents), and all are done before they are read.
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in stride(from: thread, to: items.count, by: threads) {
                shared[index] = transform(items[index])
            }
        }
        return slots.map { $0! }
    }
}
