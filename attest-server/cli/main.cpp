// cw-attest-server: the attestation server's command line. Each subcommand is one entry of
// kSubcommands with its own option parser.
#include <cstdio>
#include <string_view>

#include "cli/serve_command.h"
#include "cli/verify_command.h"

namespace {

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(int argc, char** argv);  // argv[0] is the subcommand name
};

constexpr Subcommand kSubcommands[] = {
    {"verify", "verify SEV-SNP, TDX or simulated evidence offline and print a JSON verdict",
     cw::attest::cli::verify_main},
    {"serve", "serve the cw-attest/1 protocol and the admin API over TLS", cw::attest::cli::serve_main},
    {"hash-token", "print the SHA-256 of an admin token read on stdin (for --admin-token-sha256-file)",
     cw::attest::cli::hash_token_main},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: cw-attest-server <command> [options]\n\ncommands:\n");
    for (const auto& cmd : kSubcommands)
        std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(cmd.name.size()), cmd.name.data(),
                     static_cast<int>(cmd.summary.size()), cmd.summary.data());
    std::fprintf(out, "\n'cw-attest-server <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return cw::attest::cli::kExitUsage;
    }
    std::string_view name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        usage(stdout);
        return 0;
    }
    for (const auto& cmd : kSubcommands) {
        if (cmd.name == name)
            return cmd.run(argc - 1, argv + 1);
    }
    std::fprintf(stderr, "cw-attest-server: unknown command '%s' (see cw-attest-server --help)\n", argv[1]);
    return cw::attest::cli::kExitUsage;
}
