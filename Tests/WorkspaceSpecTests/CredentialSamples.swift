/// Fake credentials for the credential tests, built at run time from a fixed seed so the
/// repository itself holds no string that a secret scanner (or this project) would flag:
/// every prefix is split (`"gh" + "p_"`) and every body is generated.
struct FakeCredentials {
    private var state: UInt64

    init(seed: UInt64 = 0x5eed) { state = seed }

    static let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    static let lower = "abcdefghijklmnopqrstuvwxyz"
    static let digits = "0123456789"
    static let alnum = upper + lower + digits
    static let token = alnum + "_-"
    static let hex = "0123456789abcdef"
    static let base32 = upper + "234567"

    /// `count` characters drawn from `alphabet`.
    mutating func text(_ alphabet: String, _ count: Int) -> String {
        let characters = Array(alphabet)
        var result = ""
        for _ in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            result.append(characters[Int((state >> 33) % UInt64(characters.count))])
        }
        return result
    }

    /// A PEM block with `label` and three lines of base64.
    mutating func pem(_ label: String) -> String {
        let dashes = "-----"
        let lines = (0..<3).map { _ in text(Self.alnum + "+/", 64) }.joined(separator: "\n")
        return dashes + "BEGIN " + label + dashes + "\n" + lines + "\n" + dashes + "END " + label + dashes + "\n"
    }

    /// One sample per format the issue names, with the noun the message must use.
    mutating func samples() -> [(noun: String, secret: String)] {
        let alnum = Self.alnum, token = Self.token, digits = Self.digits
        return [
            ("a private key block", pem("RSA PRIVATE KEY")),
            ("a private key block", pem("OPENSSH PRIVATE KEY")),
            ("a private key block", pem("PGP PRIVATE KEY BLOCK")),
            ("an AWS access key id", "AK" + "IA" + "IOSFODNN7EXAMPLE"),
            ("an AWS access key id", "AS" + "IA" + text(Self.base32, 16)),
            ("a GitHub token", "gh" + "p_" + text(alnum, 36)),
            ("a GitHub token", "gh" + "o_" + text(alnum, 36)),
            ("a GitHub token", "gh" + "u_" + text(alnum, 36)),
            ("a GitHub token", "gh" + "s_" + text(alnum, 36)),
            ("a GitHub token", "gh" + "r_" + text(alnum, 36)),
            ("a GitHub fine-grained personal access token", "github" + "_pat_" + text(alnum, 22) + "_" + text(alnum, 59)),
            ("a GitLab token", "gl" + "pat-" + text(token, 20)),
            ("a Slack token", "xo" + "xb-" + text(digits, 12) + "-" + text(digits, 13) + "-" + text(alnum, 24)),
            ("a Slack token", "xo" + "xp-" + text(digits, 12) + "-" + text(digits, 12) + "-" + text(digits, 12) + "-" + text(alnum, 32)),
            ("a Slack webhook URL", "https://hooks" + ".slack.com/services/T" + text(Self.upper + digits, 8) + "/B"
                + text(Self.upper + digits, 10) + "/" + text(alnum, 24)),
            ("a Google API key", "AI" + "za" + text(token, 35)),
            ("a Stripe live secret key", "sk" + "_live_" + text(alnum, 24)),
            ("a Stripe live secret key", "rk" + "_live_" + text(alnum, 99)),
            ("an OpenAI API key", "sk-" + "proj-" + text(token, 58) + "T3Blbk" + "FJ" + text(token, 58)),
            ("an OpenAI API key", "sk-" + text(alnum, 20) + "T3Blbk" + "FJ" + text(alnum, 20)),
            ("an Anthropic API key", "sk-" + "ant-api03-" + text(token, 93) + "AA"),
            ("a JSON Web Token", "ey" + "J" + text(alnum, 30) + ".ey" + "J" + text(alnum, 40) + "." + text(token, 43)),
            ("a SendGrid API key", "S" + "G." + text(token, 22) + "." + text(token, 43)),
            ("a Notion token", "nt" + "n_" + text(digits, 11) + text(alnum, 35)),
            ("a Grafana token", "gl" + "sa_" + text(alnum, 32) + "_" + text(Self.hex, 8)),
        ]
    }

    /// Strings that look a little like credentials but are not, or are plain placeholders.
    mutating func lookalikes() -> [String] {
        let dashes = "-----"
        return [
            "sk-assessment", "sk-encryption-key", "gh" + "p_short", "AK" + "IA" + text(Self.base32, 15),
            "AK" + "IA" + text(Self.base32, 17), "x" + "AK" + "IA" + text(Self.base32, 16),
            "AK" + "IA" + String(repeating: "X", count: 16), "gh" + "p_" + String(repeating: "x", count: 36),
            "https://hooks" + ".slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            dashes + "BEGIN PRIVATE KEY" + dashes, dashes + "BEGIN PRIVATE KEY" + dashes + "\n...\n" + dashes + "END PRIVATE KEY" + dashes,
            pem("PUBLIC KEY"), pem("CERTIFICATE"),
            "${{ SECRETS.aws.access_key_id }}", "${{ SECRETS.github.token }}", "Bearer ${{ SECRETS.openai.api_key }}",
            "sk" + "_test_" + text(Self.alnum, 24),
            "ey" + "J" + text(Self.alnum, 30) + ".ey" + "J" + text(Self.alnum, 40) + ".",
            "550e8400-e29b-41d4-a716-446655440000", text(Self.hex, 64), "https://api.github.com/repos/org/repo",
            "${{ FN.to_base64(ACTIONS.fetch.result.data.token_url) }}", "tokens", "password_policy",
        ]
    }
}
