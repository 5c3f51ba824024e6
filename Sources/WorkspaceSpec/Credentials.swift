import YAML

/// A kind whose documents hold free-form values, in which a key named like a credential
/// must not carry a literal (see `Credentials.isCredentialName`).
public protocol CredentialKeyedKind: ResourceKind {
    /// Top-level keys whose value maps names (environments) to free-form data; key names are
    /// checked inside that data, at any depth, but not at the environment level itself.
    static var credentialKeyRoots: [String] { get }
}

/// Keeps credentials out of the store: invariant 10 ("credentials never appear in output")
/// starts with never taking one in. Every door into the store (validate, the hooks, a push,
/// `app put`) runs `ResourceLoader.check`, which runs this on every document.
///
/// Two rules, each an error:
/// - `credential-literal`: any string of any document (mapping keys included) holding a
///   well-known credential format (`CredentialShapes.all`: private key blocks, cloud access
///   key ids, provider tokens, webhook URLs). `${{ SECRETS.<name>.<key> }}` references hold
///   names, not values, and never match.
/// - `credential-key`: under a `CredentialKeyedKind`'s roots (a variable's `values`), a key
///   named like a credential whose value, or any scalar below it, is a literal: a non-blank
///   string without a `${{ … }}` expression, or a number. Empty strings, null and booleans
///   stay allowed (`password: ""` says "none"; `token: true` is a switch), and so does any
///   string holding an expression (`"Bearer ${{ SECRETS.api.token }}"`): it is computed when
///   the workflow runs, and what it refers to is checked where it is defined.
///
/// Messages name what was found and where (the scalar's position, or the key's for a key),
/// never the value or any part of it. A scalar that both rules would refuse is reported once,
/// by the literal rule, which says more.
public enum Credentials {
    /// What every message ends with: where a credential belongs instead.
    public static let advice = "keep secrets in the application's secret store and refer to them as ${{ SECRETS.<name>.<key> }}"

    /// Runs both rules over `document`, checking key names under the top-level `keyRoots`.
    public static func check(_ document: Node, keyRoots: [String] = [], into sink: inout DiagnosticSink) {
        guard let pairs = document.pairs else {
            walk(document, credentialKey: nil, into: &sink)
            return
        }
        for pair in pairs {
            scanKey(pair, into: &sink)
            if keyRoots.contains(pair.key), let environments = pair.value.pairs {
                for environment in environments {
                    scanKey(environment, into: &sink)
                    walk(environment.value, credentialKey: nil, keysChecked: true, into: &sink)
                }
            } else {
                walk(pair.value, credentialKey: nil, into: &sink)
            }
        }
    }

    /// The names of the credential formats `text` holds ("an AWS access key id"), each once.
    public static func literalCredentials(in text: String) -> [String] {
        var text = text
        return text.withUTF8 { CredentialShapes.find(in: $0) }
    }

    /// True when `key` names a credential.
    ///
    /// The key is cut into lowercase words at `_`, `-`, `.`, spaces and other punctuation and
    /// at camelCase humps (`githubToken`, `APIKey`, `X-Api-Key`); digits ending a word are
    /// dropped (`password2`, `oauth2_token`). It names a credential when its last word is
    /// one of `credentialWords` (`db_password`, `slackToken`, and closed compounds such as
    /// `apikey`), or its last two words are one of `credentialPairs` (`api_key`,
    /// `aws_secret_access_key`, `signing_keys`). A `token` after `page`, `next`,
    /// `continuation`, `pagination`, `cursor`, `sync`, `resume`, `start`, `max`, `min`,
    /// `num` or `total` is a paging cursor or a count, not a credential; `tokens` (plural)
    /// is never one (`max_tokens`). Only the last word counts, so `token_url`,
    /// `password_policy`, `secret_name` and `aws_access_key_id` are ordinary keys. Names in
    /// `notCredentialNames` are known headers whose value is never a secret.
    public static func isCredentialName(_ key: String) -> Bool {
        let words = self.words(of: key)
        guard let last = words.last, !notCredentialNames.contains(words.joined(separator: " ")) else { return false }
        let previous = words.count > 1 ? words[words.count - 2] : nil
        if last == "token", let previous, notCredentialBeforeToken.contains(previous) { return false }
        if credentialWords.contains(last) { return true }
        if let previous, credentialPairs.contains("\(previous) \(last == "keys" ? "key" : last)") { return true }
        return false
    }

    /// Last words that make a key a credential (plus closed compounds people write as one word).
    public static let credentialWords: Set<String> = [
        "password", "passwords", "passwd", "passphrase", "secret", "secrets", "token",
        "credential", "credentials", "creds", "authorization",
        "apikey", "apikeys", "accesstoken", "authtoken", "refreshtoken", "privatekey",
        "secretkey", "accesskey", "clientsecret",
    ]

    /// Last two words that make a key a credential (`keys` counts as `key`).
    public static let credentialPairs: Set<String> = [
        "api key", "access key", "secret key", "private key", "signing key",
        "encryption key", "master key", "auth key",
    ]

    /// Whole names (as words) that end like a credential but are not one: Jira's
    /// `X-Atlassian-Token: no-check` header switches off a check (the corpus uses it).
    static let notCredentialNames: Set<String> = ["x atlassian token"]

    /// Words before `token` that make it a cursor or a count.
    static let notCredentialBeforeToken: Set<String> = [
        "page", "next", "continuation", "pagination", "cursor", "sync", "resume", "start",
        "max", "min", "num", "total",
    ]

    /// `key` cut into lowercase ASCII words (see `isCredentialName`).
    static func words(of key: String) -> [String] {
        var words: [String] = []
        var current: [Unicode.Scalar] = []
        let scalars = Array(key.unicodeScalars)
        func finish() {
            while let last = current.last, ("0"..."9").contains(last) { current.removeLast() }
            if !current.isEmpty { words.append(String(String.UnicodeScalarView(current)).lowercased()) }
            current.removeAll()
        }
        for (index, scalar) in scalars.enumerated() {
            guard Expressions.isIdentifier(scalar), scalar != "_" else {
                finish()
                continue
            }
            if ("A"..."Z").contains(scalar), let previous = current.last {
                let nextIsLower = index + 1 < scalars.count && ("a"..."z").contains(scalars[index + 1])
                if ("a"..."z").contains(previous) || ("0"..."9").contains(previous)
                    || ("A"..."Z").contains(previous) && nextIsLower {
                    finish()
                }
            }
            current.append(scalar)
        }
        finish()
        return words
    }

    /// Walks a value: literals in every string, and (when `keysChecked`) credential-named keys.
    static func walk(_ node: Node, credentialKey: String?, keysChecked: Bool = false, into sink: inout DiagnosticSink) {
        switch node.content {
        case .scalar(let value):
            if case .string(let text) = value {
                let found = literalCredentials(in: text)
                if !found.isEmpty {
                    report(found, in: "string", at: node.mark, into: &sink)
                    return
                }
            }
            if let credentialKey, isLiteral(value) {
                sink.error("credential-key", "a value under key '\(credentialKey)' looks like a credential; \(advice)", at: node.mark)
            }
        case .sequence(let elements):
            for element in elements {
                walk(element, credentialKey: credentialKey, keysChecked: keysChecked, into: &sink)
            }
        case .mapping(let pairs):
            for pair in pairs {
                scanKey(pair, into: &sink)
                let named = keysChecked && credentialKey == nil && isCredentialName(pair.key) ? pair.key : nil
                walk(pair.value, credentialKey: credentialKey ?? named, keysChecked: keysChecked, into: &sink)
            }
        }
    }

    /// The literal rule on a mapping key.
    static func scanKey(_ pair: Node.Pair, into sink: inout DiagnosticSink) {
        let found = literalCredentials(in: pair.key)
        if !found.isEmpty { report(found, in: "key", at: pair.keyMark, into: &sink) }
    }

    static func report(_ nouns: [String], in place: String, at mark: Mark, into sink: inout DiagnosticSink) {
        for noun in nouns {
            sink.error("credential-literal", "this \(place) holds what looks like \(noun); \(advice)", at: mark)
        }
    }

    /// A value the key rule refuses: a non-blank string without an expression, or a number.
    static func isLiteral(_ value: Value) -> Bool {
        switch value {
        case .string(let text):
            return !text.allSatisfy(\.isWhitespace) && Expressions.spans(in: text).isEmpty
        case .int, .double:
            return true
        default:
            return false
        }
    }
}
