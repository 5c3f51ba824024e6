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

    /// `body` of the `transform` of each of `count` items, in order, a chunk at a time: the
    /// calling thread reads a chunk's items (`input`, given the chunk's indices), `map` makes
    /// them on other threads, and the caller's own work (reading the next chunk, `body`, its
    /// writes to the store) overlaps with that. Only a few chunks are held at once. When
    /// `input` or `body` throws, the chunks being made are waited for and dropped, so nothing
    /// runs on after the call.
    static func pipeline<T: Sendable, U: Sendable>(count: Int, chunk: Int, input: (Range<Int>) throws -> [T],
                                                   _ transform: @escaping @Sendable (T) -> U,
                                                   _ body: (Int, U) throws -> Void) throws {
        func start(_ first: Int) throws -> Background<[U]>? {
            guard first < count else { return nil }
            let items = try input(first..<min(first + chunk, count))
            return Background { map(items, transform) }
        }
        var first = 0
        var next = try start(0)
        while let current = next {
            do {
                next = try start(first + chunk)
            } catch {
                _ = current.result()
                throw error
            }
            do {
                for (offset, result) in current.result().enumerated() { try body(first + offset, result) }
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
