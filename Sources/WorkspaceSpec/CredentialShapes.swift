/// One well-known credential format: fixed leading bytes, then a run of bytes of one class.
///
/// A match needs all of: the byte before the prefix is not a letter or digit; the run of
/// `body` bytes right after the prefix has a length in `length`; the byte after the run is
/// not a letter, digit or `_`; `extra` (when given) accepts the run; and the run has at
/// least 5 distinct letters and digits, so placeholders (`XXXX…`, `T00000000/B00000000/…`)
/// pass. There is no entropy guessing: each format is anchored by a prefix the issuer
/// chose so that tokens can be recognised.
struct CredentialShape: Sendable {
    /// A short stable name (`aws-access-key-id`), for tests and the man page.
    let id: String
    /// How a message names what was found: "an AWS access key id".
    let noun: String
    let prefixes: [String]
    let body: ByteClass
    let length: ClosedRange<Int>
    /// A further test of the run (bytes of the text, range of the run).
    let extra: (@Sendable (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool)?

    init(_ id: String, _ noun: String, _ prefixes: [String], _ body: ByteClass, _ length: ClosedRange<Int>,
         extra: (@Sendable (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool)? = nil) {
        self.id = id
        self.noun = noun
        self.prefixes = prefixes
        self.body = body
        self.length = length
        self.extra = extra
    }
}

/// The credential formats the literal rule refuses (the man page lists the same).
///
/// Learnt from gitleaks' rules, keeping only those anchored by a prefix the issuer
/// defines; rules that need a nearby keyword (`twitter`, `discord`, …) or an entropy
/// threshold are left out, because they trip on ordinary workflow data.
enum CredentialShapes {
    static let unbounded = Int.max - 1

    static let all: [CredentialShape] = [
        // The block's own characters plus `\`: a key inside JSON text (a pasted service
        // account file) has its line ends escaped as `\n`.
        CredentialShape("private-key", "a private key block", ["-----BEGIN "], ByteClass("A-Za-z0-9 _=+/:,.\\\t\r\n-"),
                        80...unbounded, extra: { text, run in isPrivateKeyBlock(text, run) }),
        CredentialShape("aws-access-key-id", "an AWS access key id", ["AKIA", "ASIA", "ABIA", "ACCA"],
                        .base32, 16...16),
        CredentialShape("aws-access-key-id", "an AWS access key id", ["A3T"], ByteClass("A-Z0-9"), 17...17,
                        extra: { text, run in text[(run.lowerBound + 1)..<run.upperBound].allSatisfy(ByteClass.base32.contains) }),
        CredentialShape("github-token", "a GitHub token", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], .alnum, 36...36),
        CredentialShape("github-token", "a GitHub fine-grained personal access token", ["github_pat_"], .word, 82...82),
        CredentialShape("gitlab-token", "a GitLab token",
                        ["glpat-", "glptt-", "gldt-", "glrt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-", "glffct-", "glcbt-"],
                        .token, 20...unbounded),
        CredentialShape("slack-token", "a Slack token",
                        ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxo-", "xoxs-", "xoxe-", "xoxe.xoxb-", "xoxe.xoxp-", "xapp-"],
                        ByteClass("A-Za-z0-9-"), 20...unbounded,
                        extra: { text, run in ByteClass.digit.contains(text[run.lowerBound]) }),
        CredentialShape("slack-webhook-url", "a Slack webhook URL",
                        ["hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/"],
                        ByteClass("A-Za-z0-9+/"), 43...unbounded),
        CredentialShape("teams-webhook-url", "a Microsoft Teams webhook URL", ["webhook.office.com/webhookb2/"],
                        ByteClass("A-Za-z0-9@/-"), 100...unbounded),
        CredentialShape("google-api-key", "a Google API key", ["AIza"], .token, 35...35),
        CredentialShape("google-oauth-client-secret", "a Google OAuth client secret", ["GOCSPX-"], .token, 28...28),
        CredentialShape("stripe-live-key", "a Stripe live secret key", ["sk_live_", "rk_live_"], .alnum, 20...247),
        CredentialShape("stripe-webhook-secret", "a Stripe webhook signing secret", ["whsec_"], .alnum, 32...unbounded),
        CredentialShape("anthropic-api-key", "an Anthropic API key", ["sk-ant-"], .token, 80...unbounded),
        CredentialShape("openai-api-key", "an OpenAI API key", ["sk-"], .token, 40...unbounded,
                        extra: { text, run in contains(Array("T3BlbkFJ".utf8), in: text, run) }),
        CredentialShape("huggingface-token", "a Hugging Face token", ["hf_", "api_org_"], ByteClass("A-Za-z"), 34...34),
        CredentialShape("npm-token", "an npm access token", ["npm_"], .alnum, 36...36),
        CredentialShape("pypi-token", "a PyPI upload token", ["pypi-AgEIcHlwaS5vcmc"], .token, 50...unbounded),
        CredentialShape("digitalocean-token", "a DigitalOcean token", ["dop_v1_", "doo_v1_", "dor_v1_"], .hex, 64...64),
        CredentialShape("shopify-token", "a Shopify access token or shared secret", ["shpat_", "shpca_", "shppa_", "shpss_"],
                        .hex, 32...32),
        CredentialShape("sendgrid-api-key", "a SendGrid API key", ["SG."], ByteClass("A-Za-z0-9_.-"), 66...66,
                        extra: { text, run in text[run.lowerBound + 22] == UInt8(ascii: ".") }),
        CredentialShape("vault-token", "a HashiCorp Vault token", ["hvs."], .token, 90...120),
        CredentialShape("vault-token", "a HashiCorp Vault token", ["hvb."], .token, 138...300),
        CredentialShape("age-secret-key", "an age secret key", ["AGE-SECRET-KEY-1"],
                        ByteClass("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"), 58...58),
        CredentialShape("1password-token", "a 1Password service account token", ["ops_eyJ"], .base64, 250...unbounded),
        CredentialShape("databricks-token", "a Databricks token", ["dapi"], .hex, 32...32),
        CredentialShape("linear-api-key", "a Linear API key", ["lin_api_"], .alnum, 40...40),
        CredentialShape("grafana-token", "a Grafana token", ["glc_"], .base64, 32...400),
        CredentialShape("grafana-token", "a Grafana token", ["glsa_"], .word, 41...41,
                        extra: { text, run in text[run.lowerBound + 32] == UInt8(ascii: "_") }),
        CredentialShape("postman-api-key", "a Postman API key", ["PMAK-"], ByteClass("a-fA-F0-9-"), 59...59),
        CredentialShape("doppler-token", "a Doppler token", ["dp.pt."], .alnum, 43...43),
        CredentialShape("sentry-token", "a Sentry token", ["sntryu_"], .hex, 64...64),
        CredentialShape("sentry-token", "a Sentry token", ["sntrys_eyJ"], ByteClass("A-Za-z0-9+/=_"), 60...unbounded),
        CredentialShape("atlassian-api-token", "an Atlassian API token", ["ATATT3"], ByteClass("A-Za-z0-9_=-"), 186...unbounded),
        CredentialShape("pulumi-token", "a Pulumi access token", ["pul-"], .hex, 40...40),
        CredentialShape("prefect-api-key", "a Prefect API key", ["pnu_"], .alnum, 36...36),
        CredentialShape("perplexity-api-key", "a Perplexity API key", ["pplx-"], .alnum, 48...48),
        CredentialShape("rubygems-api-key", "a RubyGems API key", ["rubygems_"], .hex, 48...48),
        CredentialShape("planetscale-token", "a PlanetScale token or password", ["pscale_tkn_", "pscale_oauth_", "pscale_pw_"],
                        ByteClass("A-Za-z0-9_=.-"), 32...64),
        CredentialShape("notion-token", "a Notion token", ["ntn_"], .alnum, 46...46,
                        extra: { text, run in text[run.lowerBound..<(run.lowerBound + 11)].allSatisfy(ByteClass.digit.contains) }),
        CredentialShape("heroku-api-key", "a Heroku API key", ["HRKU-AA"], .token, 58...58),
        CredentialShape("alibaba-access-key-id", "an Alibaba Cloud access key id", ["LTAI"], .alnum, 20...20),
        CredentialShape("brevo-api-key", "a Brevo (Sendinblue) API key", ["xkeysib-"], ByteClass("A-Za-z0-9-"), 81...81),
        CredentialShape("square-token", "a Square access token or secret", ["sq0atp-", "sq0csp-"], .token, 22...60),
        CredentialShape("jwt", "a JSON Web Token", ["eyJ"], ByteClass("A-Za-z0-9_.-"), 40...unbounded,
                        extra: { text, run in isSignedJWT(text, run) }),
    ]

    /// The bytes some prefix starts with: the only bytes the scan looks at twice.
    static let firstBytes: ByteClass = {
        var pattern = ""
        for shape in all { for prefix in shape.prefixes { pattern += prefix.prefix(1) } }
        return ByteClass(pattern.replacingOccurrences(of: "-", with: "") + "-")
    }()

    /// The first two bytes of every prefix, so most word starts are passed over in two lookups.
    static let firstPairs: BytePairSet = {
        var set = BytePairSet()
        for shape in all { for prefix in shape.prefixes { set.insert(Array(prefix.utf8)) } }
        return set
    }()

    /// For each first byte, the (prefix bytes, shape) pairs starting with it, in `all` order.
    static let byFirstByte: [[(prefix: [UInt8], shape: Int)]] = {
        var table = [[(prefix: [UInt8], shape: Int)]](repeating: [], count: 256)
        for (index, shape) in all.enumerated() {
            for prefix in shape.prefixes {
                let bytes = Array(prefix.utf8)
                table[Int(bytes[0])].append((bytes, index))
            }
        }
        return table
    }()

    /// The nouns of the formats found in `text`, each once, in order of first appearance.
    ///
    /// One pass over the bytes: only a byte that starts a prefix, right after a byte that is
    /// not a letter or digit, is looked at further. The scan stays linear on hostile input:
    /// a shape never re-reads a run it already measured (a start inside a run that failed
    /// is skipped), so `sk-sk-sk-…` costs one run, not one per `sk-`.
    static func find(in text: UnsafeBufferPointer<UInt8>) -> [String] {
        let starts = firstBytes, pairs = firstPairs, alnum = ByteClass.alnum
        var found: [String] = []
        var failedRunEnd: [Int] = []
        var index = 0
        while index < text.count {
            if !starts.contains(text[index]) || index > 0 && alnum.contains(text[index - 1])
                || index + 1 < text.count && !pairs.contains(text[index], text[index + 1]) {
                index += 1
                continue
            }
            let shapes = all, candidates = byFirstByte[Int(text[index])]
            if failedRunEnd.isEmpty { failedRunEnd = [Int](repeating: 0, count: shapes.count) }
            var next = index + 1
            for (prefix, shapeIndex) in candidates {
                let start = index + prefix.count
                guard start <= text.count, start >= failedRunEnd[shapeIndex],
                      text[index..<start].elementsEqual(prefix) else { continue }
                let shape = shapes[shapeIndex]
                var end = start
                while end < text.count && shape.body.contains(text[end]) { end += 1 }
                if matches(shape, text, start..<end) {
                    if !found.contains(shape.noun) { found.append(shape.noun) }
                    next = end
                    break
                }
                failedRunEnd[shapeIndex] = end
            }
            index = next
        }
        return found
    }

    /// True when the measured run `run` (maximal: the byte after it is not in `body`) is `shape`.
    static func matches(_ shape: CredentialShape, _ text: UnsafeBufferPointer<UInt8>, _ run: Range<Int>) -> Bool {
        guard shape.length.contains(run.count) else { return false }
        if run.upperBound < text.count, ByteClass.word.contains(text[run.upperBound]) { return false }
        if let extra = shape.extra, !extra(text, run) { return false }
        return !isPlaceholder(text[run])
    }

    /// Fewer than 5 distinct letters and digits: `XXXX…`, `0000…`, `T00000000/B00000000/XXXX…`.
    static func isPlaceholder(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var seen = ByteSet()
        var distinct = 0
        for byte in bytes where ByteClass.alnum.contains(byte) && seen.insert(byte) {
            distinct += 1
            if distinct >= 5 { return false }
        }
        return true
    }

    /// `-----BEGIN <label>-----` whose label ends in `PRIVATE KEY` (or `PRIVATE KEY BLOCK`),
    /// then at least 64 base64 characters before the next `-----`: a header alone, or
    /// `-----BEGIN PRIVATE KEY-----…-----END PRIVATE KEY-----` in prose, is not a key.
    static func isPrivateKeyBlock(_ text: UnsafeBufferPointer<UInt8>, _ run: Range<Int>) -> Bool {
        let dashes = Array("-----".utf8)
        let labelLimit = min(run.upperBound, run.lowerBound + 100)
        guard let labelEnd = firstIndex(of: dashes, in: text, run.lowerBound..<labelLimit) else { return false }
        let label = text[run.lowerBound..<labelEnd]
        guard label.allSatisfy(ByteClass("A-Z0-9 _-").contains),
              label.reversed().starts(with: "PRIVATE KEY".utf8.reversed())
                || label.reversed().starts(with: "PRIVATE KEY BLOCK".utf8.reversed()) else { return false }
        let bodyStart = labelEnd + dashes.count
        let bodyEnd = firstIndex(of: dashes, in: text, bodyStart..<run.upperBound) ?? run.upperBound
        return text[bodyStart..<bodyEnd].lazy.filter(ByteClass.base64.contains).count >= 64
    }

    /// Where `needle` first occurs inside `text[range]`.
    static func firstIndex(of needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard range.count >= needle.count else { return nil }
        for start in range.lowerBound...(range.upperBound - needle.count)
        where text[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// True when `needle` occurs inside `text[range]`.
    static func contains(_ needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        firstIndex(of: needle, in: text, range) != nil
    }

    /// A JWT body after `eyJ`: header, a payload that is itself `eyJ…`, and a signature.
    static func isSignedJWT(_ text: UnsafeBufferPointer<UInt8>, _ run: Range<Int>) -> Bool {
        let parts = text[run].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].count >= 14, parts[2].count >= 10 else { return false }
        return parts[1].count >= 17 && parts[1].starts(with: Array("eyJ".utf8))
    }
}
