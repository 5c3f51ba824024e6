import Foundation

/// A person and a moment, as a commit records them.
public struct Signature: Hashable, Sendable {
    public var name: String
    public var email: String
    /// Seconds since the Unix epoch.
    public var time: Int64
    /// Offset from UTC in minutes (`+0130` is 90).
    public var offsetMinutes: Int

    public init(name: String, email: String, time: Int64, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// `Name <email> 1700000000 +0000`.
    var line: String {
        let sign = offsetMinutes < 0 ? "-" : "+"
        let minutes = abs(offsetMinutes)
        let zone = sign + pad(minutes / 60) + pad(minutes % 60)
        return "\(clean(name)) <\(clean(email))> \(time) \(zone)"
    }

    private func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Names and emails must not break the header line.
    private func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\n" && $0 != "<" && $0 != ">" && $0 != "\0" }.map(Character.init))
    }

    /// Parses `Name <email>` (as `--author` takes it); nil when malformed.
    public static func parseIdentity(_ text: String) -> (name: String, email: String)? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        guard !name.isEmpty, !email.isEmpty else { return nil }
        return (name, email)
    }
}

/// A commit's content: tree, parents, author, committer and message.
public struct CommitData: Hashable, Sendable {
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    public var message: String

    public init(tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    /// The object content, as git writes it (message ends with one newline).
    public func serialize() -> [UInt8] {
        var text = "tree \(tree.hex)\n"
        for parent in parents { text += "parent \(parent.hex)\n" }
        text += "author \(author.line)\ncommitter \(committer.line)\n\n"
        text += message.hasSuffix("\n") ? message : message + "\n"
        return Array(text.utf8)
    }

    /// Parses a commit object's content; nil when a required header is missing or malformed.
    /// Headers other than tree, parent, author and committer (encoding, gpgsig) are dropped.
    public init?(parsing data: [UInt8]) {
        guard let links = try? CommitData.parseLinks(data),
              let author = CommitData.header("author", in: data).flatMap(CommitData.parseSignature),
              let committer = CommitData.header("committer", in: data).flatMap(CommitData.parseSignature) else { return nil }
        var message = ""
        if let blank = data.indices.dropLast().first(where: { data[$0] == UInt8(ascii: "\n") && data[$0 + 1] == UInt8(ascii: "\n") }) {
            message = String(decoding: data[(blank + 2)...], as: UTF8.self)
        }
        self.init(tree: links.tree, parents: links.parents, author: author, committer: committer, message: message)
    }

    /// The value of the first header line named `name` (`author`, `committer`, ...).
    public static func header(_ name: String, in data: [UInt8]) -> String? {
        var index = 0
        let prefix = Array((name + " ").utf8)
        while index < data.count {
            let end = data[index...].firstIndex(of: UInt8(ascii: "\n")) ?? data.count
            if end == index { return nil }
            if data[index..<end].starts(with: prefix) {
                return String(decoding: data[(index + prefix.count)..<end], as: UTF8.self)
            }
            index = end + 1
        }
        return nil
    }

    /// Parses a signature line (`Name <email> 1700000000 +0130`).
    public static func parseSignature(_ line: String) -> Signature? {
        guard let identity = Signature.parseIdentity(line), let close = line.lastIndex(of: ">") else { return nil }
        let rest = line[line.index(after: close)...].split(separator: " ")
        guard rest.count == 2, let time = Int64(rest[0]), rest[1].count == 5,
              let hours = Int(rest[1].dropFirst().prefix(2)), let minutes = Int(rest[1].suffix(2)) else { return nil }
        let offset = (hours * 60 + minutes) * (rest[1].hasPrefix("-") ? -1 : 1)
        return Signature(name: identity.name, email: identity.email, time: time, offsetMinutes: offset)
    }

    /// The tree and parents of a commit object (the header lines that matter for walking).
    public static func parseLinks(_ data: [UInt8]) throws -> (tree: ObjectID, parents: [ObjectID]) {
        var tree: ObjectID?
        var parents: [ObjectID] = []
        var index = 0
        while index < data.count {
            let end = data[index...].firstIndex(of: UInt8(ascii: "\n")) ?? data.count
            if end == index { break }
            let line = String(decoding: data[index..<end], as: UTF8.self)
            if line.hasPrefix("tree ") { tree = ObjectID(hex: String(line.dropFirst(5))) }
            if line.hasPrefix("parent "), let parent = ObjectID(hex: String(line.dropFirst(7))) { parents.append(parent) }
            index = end + 1
        }
        guard let tree else { throw TreeFormat.Malformed() }
        return (tree, parents)
    }
}
