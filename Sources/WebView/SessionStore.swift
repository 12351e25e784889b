import AIOpsCore
import Foundation
import Synchronization

/// Signed-in browsers, server side. The cookie carries only a random session id (256 bits
/// from the system's cryptographic random source), never the token; the token stays here, in
/// memory, so every request checks it again against the configuration (a token a reload
/// changed or removed ends its sessions). Sessions end after `idleTimeout` unused or
/// `lifetime` in all, at sign-out, and at a restart (memory only: people sign in again).
final class SessionStore: Sendable {
    struct Session: Sendable {
        /// The token signed in with (a secret: never logged or rendered).
        var token: [UInt8]
        var created: Timestamp
        var lastUsed: Timestamp
        /// The workspace an admin chose last; nil for none.
        var workspace: String?
    }

    let idleTimeout: Int64
    let lifetime: Int64
    let capacity: Int
    private let sessions = Mutex<[String: Session]>([:])

    /// - Parameters:
    ///   - capacity: sessions kept at most; beyond, the least recently used is dropped.
    init(idleTimeout: PromDuration, lifetime: PromDuration, capacity: Int) {
        self.idleTimeout = max(1, idleTimeout.milliseconds)
        self.lifetime = max(1, lifetime.milliseconds)
        self.capacity = max(1, capacity)
    }

    /// Starts a session for `token` and returns its id.
    func create(token: [UInt8], now: Timestamp) -> String {
        let id = Self.randomID()
        sessions.withLock { sessions in
            sessions = sessions.filter { !isExpired($0.value, now: now) }
            while sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                sessions[oldest] = nil
            }
            sessions[id] = Session(token: token, created: now, lastUsed: now)
        }
        return id
    }

    /// The live session with this id (its last use set to `now`), nil when unknown or expired.
    func use(_ id: String, now: Timestamp) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            if isExpired(session, now: now) {
                sessions[id] = nil
                return nil
            }
            session.lastUsed = now
            sessions[id] = session
            return session
        }
    }

    func setWorkspace(_ workspace: String, for id: String) {
        sessions.withLock { $0[id]?.workspace = workspace }
    }

    func remove(_ id: String) {
        sessions.withLock { $0[id] = nil }
    }

    var count: Int { sessions.withLock { $0.count } }

    private func isExpired(_ session: Session, now: Timestamp) -> Bool {
        now - session.lastUsed >= idleTimeout || now - session.created >= lifetime
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
