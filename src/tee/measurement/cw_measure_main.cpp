// cw-measure: prints the launch measurement a confidential VM will report, computed
// offline by the same library the VMM launches with. One function per subcommand; `launch`
// builds the VMM's own launch image (sim mode; the SNP/TDX launch paths will add theirs).
//
// Exit status: 0 on success, 2 on any error (one line on stderr naming what was wrong).
#include <cxxopts.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "tee/launch/cw_measure_launch.h"
#include "tee/measurement/cw_measure_pages.h"

namespace {

constexpr int kExitError = 2;

int fail(const std::string& message) {
    std::fprintf(stderr, "cw-measure: %s\n", message.c_str());
    return kExitError;
}

void usage(FILE* out) {
    std::fprintf(out,
                 "Usage: cw-measure COMMAND [OPTIONS]\n"
                 "\n"
                 "Commands:\n"
                 "  launch --kernel K [--initrd I] [--cmdline C] [--workload-config F] --cpus N --mem M\n"
                 "         [--explain] [--json]             sim launch digest of the image cwrun builds\n"
                 "  snp-pages FILE.json [--explain] [--json]   SEV-SNP launch digest of an explicit page list\n"
                 "  tdx-pages FILE.json [--explain] [--json]   TDX MRTD of an explicit PAGE.ADD / MR.EXTEND list\n"
                 "\n"
                 "Run 'cw-measure COMMAND --help' for a command's page-list format and options.\n");
}

using PagesCommand = cw::Result<void> (*)(const cw::tee::cli::PagesOptions&);

// Parses `COMMAND FILE.json [--explain] [--json]` and runs it.
int run_pages_command(std::string_view name, std::string_view format, PagesCommand command, int argc, char** argv) {
    std::string program = "cw-measure " + std::string(name);
    cxxopts::Options options(program, std::string(format));
    options.add_options()
        ("explain", "list every measured page: type, GPA, content hash, running digest")
        ("json", "print JSON instead of hex")
        ("h,help", "show this help")
        ("file", "the JSON page list", cxxopts::value<std::string>());
    options.parse_positional({"file"});
    options.positional_help("FILE.json");

    cxxopts::ParseResult args;
    try {
        args = options.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        return fail(std::string(name) + ": " + e.what() + " (see " + program + " --help)");
    }
    if (args.count("help") != 0) {
        std::printf("%s\n", options.help().c_str());
        return 0;
    }
    if (!args.unmatched().empty())
        return fail(std::string(name) + ": unexpected argument '" + args.unmatched().front() + "'");
    if (args.count("file") == 0)
        return fail(std::string(name) + ": no page list given (see " + program + " --help)");

    cw::tee::cli::PagesOptions pages;
    pages.list_path = args["file"].as<std::string>();
    pages.explain = args.count("explain") != 0;
    pages.json = args.count("json") != 0;
    auto result = command(pages);
    if (!result.ok())
        return fail(result.error().to_string());
    return 0;
}

constexpr std::string_view kSnpFormat =
    "SEV-SNP launch digest of a page list, in launch order:\n"
    "  [{\"type\": \"normal|vmsa|zero|unmeasured|secrets|cpuid\", \"gpa\": \"0x...\", \"file\": \"PATH\"}]\n"
    "\"file\" only for normal pages (a whole number of 4 KiB pages, one PAGE_INFO each, GPA advancing\n"
    "by 0x1000) and vmsa pages (exactly 4096 bytes; KVM measures VMSAs at gpa 0xfffffffff000);\n"
    "relative paths are relative to the list's directory.";
constexpr std::string_view kTdxFormat =
    "TDX MRTD of a build sequence, in order:\n"
    "  [{\"op\": \"add|extend\", \"gpa\": \"0x...\", \"file\": \"PATH\"}]\n"
    "add: TDH.MEM.PAGE.ADD of the 4 KiB page at gpa, no \"file\" (its contents are not measured);\n"
    "extend: one TDH.MR.EXTEND per 256 bytes of \"file\" from gpa on (256-byte aligned, in added pages).\n"
    "relative paths are relative to the list's directory.";

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return kExitError;
    }
    std::string_view command = argv[1];
    if (command == "-h" || command == "--help") {
        usage(stdout);
        return 0;
    }
    // The subcommand sees itself as argv[0].
    if (command == "launch")
        return cw::tee::cli::run_launch_command(argc - 1, argv + 1);
    if (command == "snp-pages")
        return run_pages_command(command, kSnpFormat, cw::tee::cli::run_snp_pages, argc - 1, argv + 1);
    if (command == "tdx-pages")
        return run_pages_command(command, kTdxFormat, cw::tee::cli::run_tdx_pages, argc - 1, argv + 1);
    return fail("unknown command '" + std::string(command) + "' (see cw-measure --help)");
}
