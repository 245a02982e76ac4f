#include "server/session_table.h"

#include <ctime>

#include <openssl/rand.h>

#include "protocol/protocol.h"

namespace cw::attest::server {

namespace {

Result<std::array<uint8_t, 32>> random32() {
    std::array<uint8_t, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return Error::msg("RAND_bytes failed: the system CSPRNG is unavailable");
    return bytes;
}

}  // namespace

int64_t system_clock_seconds() {
    return static_cast<int64_t>(std::time(nullptr));
}

SessionTable::SessionTable(size_t capacity, int64_t session_ttl, int64_t token_ttl, Clock clock)
    : m_capacity(capacity), m_session_ttl(session_ttl), m_token_ttl(token_ttl), m_clock(std::move(clock)) {}

template <class Entry>
void SessionTable::drop_stale(Table<Entry>& table, int64_t now, int64_t grace) {
    while (!table.by_expiry.empty() && table.by_expiry.begin()->first + grace <= now) {
        table.entries.erase(table.by_expiry.begin()->second);
        table.by_expiry.erase(table.by_expiry.begin());
    }
}

Result<std::optional<std::pair<std::string, Session>>> SessionTable::open_session(const std::string& workload,
                                                                                   const std::string& tee) {
    std::string key = CW_TRY(protocol::random_hex_id());
    Session session{workload, tee, CW_TRY(random32()), 0};
    std::lock_guard lock(m_mutex);
    int64_t now = m_clock();
    drop_stale(m_sessions, now, m_session_ttl);
    if (m_sessions.entries.size() >= m_capacity)
        return std::optional<std::pair<std::string, Session>>{};
    session.expires = now + m_session_ttl;
    m_sessions.entries.emplace(key, Slot<Session>{session});
    m_sessions.by_expiry.emplace(session.expires, key);
    return std::optional{std::pair{key, session}};
}

std::variant<Session, TakeError> SessionTable::take_session(const std::string& id) {
    std::lock_guard lock(m_mutex);
    auto it = m_sessions.entries.find(id);
    if (it == m_sessions.entries.end())
        return TakeError::Unknown;
    if (it->second.used)
        return TakeError::Used;
    it->second.used = true;  // consumed whatever happens next
    if (it->second.entry.expires <= m_clock())
        return TakeError::Expired;
    return it->second.entry;
}

Result<std::optional<std::string>> SessionTable::issue_token(Token token) {
    std::string key = CW_TRY(protocol::random_hex_id());
    std::lock_guard lock(m_mutex);
    int64_t now = m_clock();
    drop_stale(m_tokens, now, m_token_ttl);
    if (m_tokens.entries.size() >= m_capacity)
        return std::optional<std::string>{};
    token.expires = now + m_token_ttl;
    m_tokens.by_expiry.emplace(token.expires, key);
    m_tokens.entries.emplace(key, Slot<Token>{std::move(token)});
    return std::optional{key};
}

std::variant<Token, TakeError> SessionTable::find_token(const std::string& id) {
    std::lock_guard lock(m_mutex);
    auto it = m_tokens.entries.find(id);
    if (it == m_tokens.entries.end())
        return TakeError::Unknown;
    if (it->second.entry.expires <= m_clock())
        return TakeError::Expired;
    return it->second.entry;
}

}  // namespace cw::attest::server
