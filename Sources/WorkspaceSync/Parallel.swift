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

    /// `body` of each of `items`' `transform`, in order, with the transforms made by `map` a
    /// chunk ahead on other threads: the caller's own work (writes to the store) overlaps
    /// with them, and only two chunks of results are held at once. When `body` throws, the
    /// chunk being made is waited for and dropped, so nothing runs on after the call.
    static func pipeline<T: Sendable, U: Sendable>(_ items: [T], chunk: Int, _ transform: @escaping @Sendable (T) -> U,
                                                   _ body: (Int, U) throws -> Void) rethrows {
        func start(_ first: Int) -> Background<[U]>? {
            guard first < items.count else { return nil }
            let slice = Array(items[first..<min(first + chunk, items.count)])
            return Background { map(slice, transform) }
        }
        var first = 0
        var next = start(0)
        while let current = next {
            let results = current.result()
            next = start(first + chunk)
            do {
                for (offset, result) in results.enumerated() { try body(first + offset, result) }
            } catch {
                _ = next?.result()
                throw error
            }
            first += chunk
        }
    }
}

/// Work started on another thread now, its result collected later: a command overlaps a
/// child process (a `git fetch`) with work of its own that the child cannot affect.
public final class Background<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the work before `done` is signalled; read only after waiting for it.
    private var value: Value?

    public init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async { [self] in
            value = work()
            done.signal()
        }
    }

    /// The work's result, waiting for it to finish (any number of times).
    public func result() -> Value {
        done.wait()
        done.signal()
        return value!
    }
}
