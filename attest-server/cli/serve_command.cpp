#include "cli/serve_command.h"

#include <cxxopts.hpp>

#include <cstdio>
#include <iostream>
#include <limits>
#include <string>

#include "base/hex.h"
#include "cli/verify_command.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/digest.h"
#include "evidence/x509/keys.h"
#include "protocol/protocol.h"
#include "server/https_listener.h"
#include "server/router.h"
#include "server/session_table.h"
#include "store/master_key.h"
#include "store/sqlite_store.h"

namespace cw::attest::cli {

namespace {

constexpr size_t kSessionCapacity = 65536;

struct ServeOptions {
    server::ListenerConfig listener;
    std::string db;
    std::string master_key;
    std::string admin_token_hash_file;
    std::optional<std::string> collateral_dir;
    std::optional<std::string> sim_public_key;
    int64_t session_ttl = protocol::kSessionTtlSeconds;
    std::optional<int64_t> verify_at;
};

cxxopts::Options serve_options() {
    cxxopts::Options options("cw-attest-server serve", "Serve the cw-attest/1 protocol and the admin API over TLS");
    options.add_options()
        ("listen", "address and port to listen on (port 0: any free port)", cxxopts::value<std::string>()->default_value("127.0.0.1:8443"))
        ("tls-cert", "PEM certificate chain of the server, leaf first", cxxopts::value<std::string>())
        ("tls-key", "PEM private key of the server", cxxopts::value<std::string>())
        ("db", "SQLite database file (created if missing)", cxxopts::value<std::string>())
        ("master-key", "file with the 32-byte key sealing disk keys at rest (raw or 64 hex; mode 0600)", cxxopts::value<std::string>())
        ("admin-token-sha256-file", "file with the SHA-256 hex of the admin token (see hash-token)", cxxopts::value<std::string>())
        ("threads", "I/O and request threads (default: four per CPU)", cxxopts::value<unsigned>()->default_value("0"))
        ("collateral", "directory of SNP certificates/CRLs and TDX TCB info, QE identity, CRLs", cxxopts::value<std::string>())
        ("sim-public-key", "accept SIMULATED evidence signed by this P-384 key (protects nothing; development only)", cxxopts::value<std::string>())
        ("session-ttl", "seconds a nonce stays valid", cxxopts::value<int64_t>()->default_value("60"))
        ("verify-at", "pin the evidence verification time (seconds since the epoch; testing aid)", cxxopts::value<int64_t>())
        ("h,help", "show this help");
    return options;
}

Result<std::pair<std::string, uint16_t>> parse_listen(const std::string& text) {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return Error::msg("--listen '" + text + "': expected ADDRESS:PORT");
    std::string port_text = text.substr(colon + 1);
    unsigned long port = 0;
    try {
        size_t used = 0;
        port = std::stoul(port_text, &used);
        if (used != port_text.size() || port > 65535)
            throw std::out_of_range("port");
    } catch (const std::exception&) {
        return Error::msg("--listen '" + text + "': port must be 0 to 65535");
    }
    std::string address = text.substr(0, colon);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    return std::pair{address, static_cast<uint16_t>(port)};
}

Result<ServeOptions> parse_serve_args(int argc, char** argv, bool& help) {
    auto options = serve_options();
    cxxopts::ParseResult parsed;
    try {
        parsed = options.parse(argc, argv);
    } catch (const std::exception& e) {
        return Error::msg(e.what());
    }
    if (parsed.count("help")) {
        help = true;
        std::printf("%s\n", options.help().c_str());
        return ServeOptions{};
    }
    for (const char* required : {"tls-cert", "tls-key", "db", "master-key", "admin-token-sha256-file"}) {
        if (!parsed.count(required))
            return Error::msg(std::string("--") + required + " is required");
    }
    if (!parsed.unmatched().empty())
        return Error::msg("unexpected argument '" + parsed.unmatched().front() + "'");
    ServeOptions out;
    auto [address, port] = CW_TRY(parse_listen(parsed["listen"].as<std::string>()));
    out.listener.address = address;
    out.listener.port = port;
    out.listener.cert_file = parsed["tls-cert"].as<std::string>();
    out.listener.key_file = parsed["tls-key"].as<std::string>();
    out.listener.max_body_bytes = protocol::kMaxBodyBytes;
    out.listener.threads = parsed["threads"].as<unsigned>();
    out.db = parsed["db"].as<std::string>();
    out.master_key = parsed["master-key"].as<std::string>();
    out.admin_token_hash_file = parsed["admin-token-sha256-file"].as<std::string>();
    if (parsed.count("collateral"))
        out.collateral_dir = parsed["collateral"].as<std::string>();
    if (parsed.count("sim-public-key"))
        out.sim_public_key = parsed["sim-public-key"].as<std::string>();
    out.session_ttl = parsed["session-ttl"].as<int64_t>();
    if (out.session_ttl < 1 || out.session_ttl > 3600)
        return Error::msg("--session-ttl: expected 1 to 3600 seconds");
    if (parsed.count("verify-at"))
        out.verify_at = parsed["verify-at"].as<int64_t>();
    return out;
}

Result<std::array<uint8_t, 32>> load_token_hash(const std::string& path) {
    auto bytes = CW_TRY(read_file_bytes(path, 1024).context("admin token hash '" + path + "'"));
    std::string text(bytes.begin(), bytes.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    auto digest = from_hex(text);
    if (!digest || digest->size() != 32)
        return Error::msg("admin token hash '" + path + "': expected 64 hex characters (cw-attest-server hash-token)");
    std::array<uint8_t, 32> out{};
    std::copy(digest->begin(), digest->end(), out.begin());
    return out;
}

int fail(const Error& error) {
    std::fprintf(stderr, "cw-attest-server serve: %s\n", error.to_string().c_str());
    return kExitUsage;
}

}  // namespace

int serve_main(int argc, char** argv) {
    bool help = false;
    auto options = parse_serve_args(argc, argv, help);
    if (!options)
        return fail(options.error());
    if (help)
        return 0;
    const ServeOptions& opt = options.value();

    auto token_hash = load_token_hash(opt.admin_token_hash_file);
    if (!token_hash)
        return fail(token_hash.error());
    auto master_key = store::load_master_key(opt.master_key);
    if (!master_key)
        return fail(master_key.error());
    auto db = store::open_sqlite_store(opt.db, std::move(master_key.value()));
    if (!db)
        return fail(db.error());

    policy::AppraisalConfig appraisal;
    EvpPkeyPtr sim_key;
    if (opt.sim_public_key) {
        auto key = load_public_key_file(*opt.sim_public_key);
        if (!key)
            return fail(std::move(key).error().context("--sim-public-key"));
        sim_key = std::move(key.value());
        appraisal.sim_public_key = sim_key.get();
        std::fprintf(stderr,
                     "cw-attest-server: WARNING: simulated TEE evidence is accepted (--sim-public-key %s). It protects "
                     "nothing: whoever holds that key can obtain every sim workload's disk key. Development only.\n",
                     opt.sim_public_key->c_str());
    }
    if (opt.collateral_dir) {
        auto collateral = policy::load_collateral(*opt.collateral_dir);
        if (!collateral)
            return fail(std::move(collateral).error().context("--collateral"));
        appraisal.collateral = collateral.value();
    }
    if (opt.verify_at) {
        appraisal.at_time = opt.verify_at;
        std::fprintf(stderr, "cw-attest-server: WARNING: evidence is verified as of %lld (--verify-at), not now\n",
                     static_cast<long long>(*opt.verify_at));
    }

    server::SessionTable sessions(kSessionCapacity, opt.session_ttl, protocol::kTokenTtlSeconds);
    server::Metrics metrics;
    server::ServerContext context{*db.value(), sessions, metrics, appraisal, token_hash.value()};
    auto listener = server::HttpsListener::create(
        opt.listener, [&context](const server::HttpRequest& request) { return server::route_request(context, request); });
    if (!listener)
        return fail(listener.error());
    std::printf("listening on %s:%u\n", opt.listener.address.c_str(), listener.value()->port());
    std::fflush(stdout);
    listener.value()->run(true);
    std::fprintf(stderr, "cw-attest-server: stopped\n");
    return 0;
}

int hash_token_main(int argc, char**) {
    if (argc != 1) {
        std::fprintf(stderr, "usage: cw-attest-server hash-token < TOKEN\n");
        return kExitUsage;
    }
    std::string token;
    std::getline(std::cin, token);
    if (token.size() < 16) {
        std::fprintf(stderr, "cw-attest-server hash-token: the token on stdin is shorter than 16 characters\n");
        return kExitUsage;
    }
    auto digest = sha256({reinterpret_cast<const uint8_t*>(token.data()), token.size()});
    std::printf("%s\n", to_hex_lower(digest).c_str());
    return 0;
}

}  // namespace cw::attest::cli
