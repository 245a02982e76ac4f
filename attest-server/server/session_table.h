// The server's short-lived protocol state: sessions (a nonce bound to one workload and TEE,
// usable by exactly one attest) and attestation tokens (bound to one workload and one guest
// public key, releasing that workload's key until they expire). In memory only: a restart
// invalidates them, which costs a guest one retry and keeps replay state trivially correct.
//
// Bounded: at most `capacity` sessions and as many tokens; expired entries are dropped first,
// and a table full of live entries refuses new ones (the caller answers 503 busy) rather than
// evicting a live session, which would let a flood of auth requests cancel honest guests.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "base/result.h"

namespace cw::attest::server {

using Clock = std::function<int64_t()>;  // seconds; injectable for tests
int64_t system_clock_seconds();

struct Session {
    std::string workload;
    std::string tee;
    std::array<uint8_t, 32> nonce{};
    int64_t expires = 0;
};

struct Token {
    std::string workload;
    std::array<uint8_t, 32> nonce{};       // the session's nonce: the key-wrap salt
    std::array<uint8_t, 97> tee_pubkey{};  // the key the disk key is wrapped to
    std::string evidence_summary;          // "tee sim", "tee tdx, tcb UpToDate": for the audit record
    int64_t expires = 0;
};

enum class TakeError { Unknown, Expired, Used };

class SessionTable {
public:
    SessionTable(size_t capacity, int64_t session_ttl, int64_t token_ttl, Clock clock = system_clock_seconds);

    // A new session with a fresh random id and nonce; nullopt when the table is full of live
    // sessions.
    Result<std::optional<std::pair<std::string, Session>>> open_session(const std::string& workload, const std::string& tee);
    // Consumes the session: whatever the caller then decides, the nonce cannot be used again.
    std::variant<Session, TakeError> take_session(const std::string& id);

    Result<std::optional<std::string>> issue_token(Token token_without_expiry);
    // The token's binding, or why not.
    std::variant<Token, TakeError> find_token(const std::string& id);

    [[nodiscard]] int64_t now() const { return m_clock(); }
    [[nodiscard]] int64_t session_ttl() const { return m_session_ttl; }
    [[nodiscard]] int64_t token_ttl() const { return m_token_ttl; }

private:
    // Entries stay one more TTL after they expire (and consumed sessions until then too), so
    // a late or replayed request is told "expired" or "already used" rather than "unknown".
    template <class Entry>
    struct Slot {
        Entry entry;
        bool used = false;
    };
    template <class Entry>
    struct Table {
        std::unordered_map<std::string, Slot<Entry>> entries;
        std::multimap<int64_t, std::string> by_expiry;
    };
    template <class Entry>
    void drop_stale(Table<Entry>& table, int64_t now, int64_t grace);

    size_t m_capacity;
    int64_t m_session_ttl;
    int64_t m_token_ttl;
    Clock m_clock;
    std::mutex m_mutex;
    Table<Session> m_sessions;
    Table<Token> m_tokens;
};

}  // namespace cw::attest::server
