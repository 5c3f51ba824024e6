internal import CZlib

/// zlib streams, as git keeps them in loose objects and pack entries.
///
/// The one place the project deflates and inflates: packs for clients (`PackWriter`) and
/// the store's compressed rows (`ObjectCodec` in WorkspaceStore) both use it, so a stream
/// the store keeps can be copied into a pack as it is.
public enum Zlib {
    /// Why a stream could not be inflated: it is not zlib, it is cut short, or its content
    /// is not the size it should be.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The level the store writes with: zlib's default, since a row is written once and read often.
    public static let storeLevel: Int32 = 6
    /// The level packs for clients are written with: fast, since a later `git gc` may repack.
    public static let packLevel: Int32 = 1

    /// A complete zlib stream of `data` at `level` (0-9).
    ///
    /// The window and hash table are sized to the input (zlib's defaults are for inputs of
    /// 32 KB and more): most objects are a few hundred bytes, and setting up zlib's default
    /// tables cost more than compressing them. A smaller window is recorded in the stream's
    /// header and every zlib reader (git's included) accepts it; the compression of an input
    /// that fits in the window is the same.
    public static func deflate(_ data: [UInt8], level: Int32) -> [UInt8] {
        var stream = z_stream()
        var windowBits: Int32 = 9
        // zlib keeps 262 bytes of lookahead inside the window.
        while windowBits < 15 && (1 << windowBits) < data.count + 262 { windowBits += 1 }
        let memLevel = max(1, min(8, windowBits - 7))
        guard czlib_deflate_init2(&stream, level, windowBits, memLevel) == Z_OK else {
            fatalError("zlib could not start (out of memory)")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var input = data
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflateBound leaves room for the whole stream")
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// A complete zlib stream of `data` that stores it as it is (blocks of type 0): what
    /// deflating a few dozen bytes comes to anyway, without setting zlib up for each.
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(data.count + 6 + 5 * (data.count / 0xFFFF + 1))
        var start = 0
        repeat {
            let length = min(0xFFFF, data.count - start)
            let final: UInt8 = start + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<(start + length)]
            start += length
        } while start < data.count
        let checksum = UInt32(data.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) })
        out += [UInt8(checksum >> 24), UInt8((checksum >> 16) & 0xFF), UInt8((checksum >> 8) & 0xFF), UInt8(checksum & 0xFF)]
        return out
    }

    /// zlib's CRC-32 of `bytes` (a pack index records one per entry).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        UInt32(bytes.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) })
    }

    /// The content of the zlib stream `stream`, which must be exactly `size` bytes (when
    /// given) and end the stream: anything else (bad data, a short stream, another size,
    /// bytes after the end) throws, so a damaged row is never mistaken for an object.
    public static func inflate(_ stream: [UInt8], size: Int?) throws(Malformed) -> [UInt8] {
        if let size, size < 0 { throw Malformed(description: "a negative size (\(size))") }
        var z = z_stream()
        guard czlib_inflate_init(&z) == Z_OK else { throw Malformed(description: "zlib could not start") }
        defer { inflateEnd(&z) }
        // One byte more than expected, so content longer than `size` shows; unknown sizes grow.
        var output = [UInt8](repeating: 0, count: (size ?? max(64, stream.count * 4)) + 1)
        var input = stream
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inBuffer in
            z.next_in = inBuffer.baseAddress
            z.avail_in = uInt(inBuffer.count)
            while true {
                output.withUnsafeMutableBufferPointer { outBuffer in
                    z.next_out = outBuffer.baseAddress! + produced
                    z.avail_out = uInt(outBuffer.count - produced)
                    status = CZlib.inflate(&z, Z_NO_FLUSH)
                    produced = outBuffer.count - Int(z.avail_out)
                }
                guard status == Z_OK, produced == output.count, size == nil, output.count < maxUnknownSize else { break }
                output += [UInt8](repeating: 0, count: output.count)
            }
        }
        guard status == Z_STREAM_END else {
            if let size, produced > size { throw Malformed(description: "the content is longer than its recorded size \(size)") }
            throw Malformed(description: "not a complete zlib stream (zlib status \(status))")
        }
        if let size, produced != size {
            throw Malformed(description: "the content is \(produced) bytes, not its recorded size \(size)")
        }
        guard z.avail_in == 0 else { throw Malformed(description: "\(z.avail_in) bytes follow the end of the zlib stream") }
        output.removeLast(output.count - produced)
        return output
    }

    /// The most an inflate of unknown size produces before giving up: 1 GiB.
    static let maxUnknownSize = 1 << 30
}
