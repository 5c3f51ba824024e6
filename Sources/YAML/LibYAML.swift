internal import CYAML

// Owners of libyaml's handles: one final class each, freed in `deinit` and nowhere else.
// libyaml keeps pointers into its own structs (and into the input), so every struct and
// buffer it sees lives at a fixed heap address for the owner's lifetime.

/// A `yaml_parser_t` reading a private copy of the input.
final class LibYAMLParser {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    /// The input; libyaml reads it in place, so it must outlive the parser.
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// The current event; `next()` frees the previous one before reading the next.
    private let event: UnsafeMutablePointer<yaml_event_t>
    private var holdsEvent = false

    /// Nil only when libyaml cannot allocate its buffers.
    init?(_ bytes: ArraySlice<UInt8>) {
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        event = .allocate(capacity: 1)
        event.initialize(to: yaml_event_t())
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        guard yaml_parser_initialize(parser) == 1 else {
            // `yaml_parser_initialize` frees what it allocated when it fails.
            parser.deinitialize(count: 1)
            parser.deallocate()
            event.deallocate()
            input.deallocate()
            return nil
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        if holdsEvent { yaml_event_delete(event) }
        event.deinitialize(count: 1)
        event.deallocate()
        yaml_parser_delete(parser)
        parser.deinitialize(count: 1)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, valid until the following call; nil when libyaml reports an error
    /// (read it from `parser.pointee`).
    func next() -> UnsafePointer<yaml_event_t>? {
        if holdsEvent {
            yaml_event_delete(event)
            holdsEvent = false
        }
        guard yaml_parser_parse(parser, event) == 1 else { return nil }
        holdsEvent = true
        return UnsafePointer(event)
    }
}

/// A `yaml_emitter_t` writing into a Swift byte buffer.
final class LibYAMLEmitter {
    /// Where libyaml's write callback appends; reached through `Unmanaged`.
    final class Output {
        var bytes: [UInt8] = []
    }

    let emitter: UnsafeMutablePointer<yaml_emitter_t>
    let output = Output()

    init() {
        emitter = .allocate(capacity: 1)
        emitter.initialize(to: yaml_emitter_t())
        guard yaml_emitter_initialize(emitter) == 1 else {
            fatalError("libyaml could not allocate an emitter")
        }
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(emitter, { context, buffer, size in
            guard let context, let buffer else { return 0 }
            let output = Unmanaged<LibYAMLEmitter.Output>.fromOpaque(context).takeUnretainedValue()
            output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_encoding(emitter, YAML_UTF8_ENCODING)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deinitialize(count: 1)
        emitter.deallocate()
    }

    /// Hands `event` to libyaml, which frees its contents whether or not it succeeds.
    ///
    /// The events come from this module's own walk over a `Value`, so a refusal is a bug
    /// here, not bad input: it stops the program with libyaml's reason.
    func emit(_ event: inout yaml_event_t) {
        guard yaml_emitter_emit(emitter, &event) == 1 else {
            let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
            fatalError("libyaml emitter refused an event: \(problem)")
        }
    }
}
