#include "tee/measurement/page_list_json.h"

#include <doctest/doctest.h>

#include <map>

#include "tee/measurement/test_vectors.h"

using cw::hex;
using cw::to_hex_lower;
using namespace cw::tee;
using namespace cw::tee::test;

namespace {

constexpr std::string_view kVectorAList = R"([
  {"type": "normal", "gpa": "0x100000", "file": "p0.bin"},
  {"type": "zero", "gpa": "0x200000"},
  {"type": "vmsa", "gpa": "0xFFFFFFFFF000", "file": "/abs/vmsa.bin"}
])";

// Files served from memory; records the paths asked for.
struct FakeFiles {
    std::map<std::string, std::vector<uint8_t>> files;
    std::vector<std::string> asked;
    PageFileReader reader() {
        return [this](const std::string& path, uint64_t) -> cw::Result<std::vector<uint8_t>> {
            asked.push_back(path);
            auto it = files.find(path);
            if (it == files.end())
                return cw::Error::msg(path + ": No such file or directory");
            return it->second;
        };
    }
};

FakeFiles vector_a_files() {
    return FakeFiles{{{"dir/p0.bin", pattern_page()}, {"/abs/vmsa.bin", vmsa_pattern_page()}}, {}};
}

std::string snp_error(std::string_view json) { return error_of(parse_snp_page_list(json)); }
std::string tdx_error(std::string_view json) { return error_of(parse_tdx_op_list(json)); }

std::string measure_snp_error(std::string_view json, FakeFiles files) {
    auto entries = parse_snp_page_list(json);
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    SnpLaunchDigest d;
    return error_of(measure_snp_page_list(*entries, "dir", files.reader(), d));
}

}  // namespace

TEST_CASE("an SNP list parses into typed entries") {
    auto entries = parse_snp_page_list(kVectorAList);
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    REQUIRE(entries->size() == 3);
    CHECK((*entries)[0].type == SnpPageType::Normal);
    CHECK((*entries)[0].gpa == 0x100000);
    CHECK((*entries)[0].file == "p0.bin");
    CHECK((*entries)[1].type == SnpPageType::Zero);
    CHECK((*entries)[1].file.empty());
    CHECK((*entries)[2].gpa == kSnpVmsaGpa);
}

TEST_CASE("every SNP type name parses") {
    auto entries = parse_snp_page_list(R"([{"type":"unmeasured","gpa":"0x0"},{"type":"secrets","gpa":"0x1000"},
        {"type":"cpuid","gpa":"0x2000"}])");
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    CHECK((*entries)[0].type == SnpPageType::Unmeasured);
    CHECK((*entries)[1].type == SnpPageType::Secrets);
    CHECK((*entries)[2].type == SnpPageType::Cpuid);
}

TEST_CASE("an empty list is valid") {
    CHECK(parse_snp_page_list("[]").value().empty());
    CHECK(parse_tdx_op_list(" [ ] ").value().empty());
}

TEST_CASE("measuring vector A's list reads files relative to the list's directory and gives A3") {
    FakeFiles files = vector_a_files();
    auto entries = parse_snp_page_list(kVectorAList);
    REQUIRE(entries.ok());
    SnpLaunchDigest d;
    auto r = measure_snp_page_list(*entries, "dir", files.reader(), d);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    CHECK(to_hex_lower(d.digest()) == kA3Digest);
    CHECK(files.asked == std::vector<std::string>{"dir/p0.bin", "/abs/vmsa.bin"});
}

TEST_CASE("a TDX list measures to T5 (single pass) with one extend entry per page") {
    FakeFiles files{{{"p0.bin", pattern_page()}, {"zero.bin", zero_page()}}, {}};
    auto entries = parse_tdx_op_list(R"([{"op":"add","gpa":"0x100000"},{"op":"extend","gpa":"0x100000","file":"p0.bin"},
        {"op":"add","gpa":"0x101000"},{"op":"extend","gpa":"0x101000","file":"zero.bin"}])");
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    auto mrtd = TdxMrtd::create();
    REQUIRE(mrtd.ok());
    auto r = measure_tdx_op_list(*entries, "", files.reader(), *mrtd);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    CHECK(to_hex_lower(mrtd->value().value()) == kT5);
}

TEST_CASE("a TDX extend may name a single 256-byte chunk at a 256-byte aligned GPA") {
    auto entries = parse_tdx_op_list(R"([{"op":"extend","gpa":"0x100100","file":"c"}])");
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    CHECK((*entries)[0].op == TdxOpKind::Extend);
    CHECK((*entries)[0].gpa == 0x100100);
}

TEST_CASE("JSON that is not a list of objects is refused") {
    CHECK(contains(snp_error("[{\"type\":"), "not valid JSON: parse error at line 1"));
    CHECK(snp_error(R"({"type":"zero","gpa":"0x0"})") == "expected a JSON array of entries, got object");
    CHECK(snp_error(R"([{"type":"zero","gpa":"0x0"}, 3])") == "entry 1: expected an object, got number");
}

TEST_CASE("unknown and duplicate keys are refused") {
    CHECK(snp_error(R"([{"type":"zero","gpa":"0x0","size":1}])") ==
          "entry 0: unknown key \"size\" (allowed: type, gpa, file)");
    CHECK(tdx_error(R"([{"op":"add","gpa":"0x0","type":"x"}])") == "entry 0: unknown key \"type\" (allowed: op, gpa, file)");
    CHECK(snp_error(R"([{"type":"zero","gpa":"0x0"},{"type":"zero","gpa":"0x0","gpa":"0x1000"}])") ==
          "entry 1: duplicate key \"gpa\"");
}

TEST_CASE("unknown types and ops are refused") {
    CHECK(snp_error(R"([{"type":"NORMAL","gpa":"0x0","file":"a"}])") ==
          "entry 0: unknown type \"NORMAL\" (expected normal, vmsa, zero, unmeasured, secrets or cpuid)");
    CHECK(tdx_error(R"([{"op":"remove","gpa":"0x0"}])") == "entry 0: unknown op \"remove\" (expected add or extend)");
    CHECK(snp_error(R"([{"type":1,"gpa":"0x0"}])") == "entry 0: \"type\" must be a string, got number");
    CHECK(snp_error(R"([{"gpa":"0x0"}])") == "entry 0: missing \"type\"");
}

TEST_CASE("GPAs must be 0x-prefixed hex strings of at most 16 digits") {
    CHECK(snp_error(R"([{"type":"zero"}])") == "entry 0: missing \"gpa\"");
    CHECK(snp_error(R"([{"type":"zero","gpa":4096}])") == "entry 0: \"gpa\" must be a string, got number");
    CHECK(contains(snp_error(R"([{"type":"zero","gpa":"4096"}])"), "entry 0: gpa \"4096\" is not a hex string"));
    CHECK(contains(snp_error(R"([{"type":"zero","gpa":"0x"}])"), "is not a hex string"));
    CHECK(contains(snp_error(R"([{"type":"zero","gpa":"0x1g00"}])"), "is not a hex string"));
    CHECK(contains(snp_error(R"([{"type":"zero","gpa":" 0x1000"}])"), "is not a hex string"));
    CHECK(contains(snp_error(R"([{"type":"zero","gpa":"0x10000000000000000"}])"), "is not a hex string"));
    CHECK(parse_snp_page_list(R"([{"type":"zero","gpa":"0xfffffffffffff000"}])").ok());
}

TEST_CASE("unaligned GPAs are refused") {
    CHECK(snp_error(R"([{"type":"zero","gpa":"0x1800"}])") == "entry 0: gpa 0x1800 is not 4 KiB aligned");
    CHECK(tdx_error(R"([{"op":"add","gpa":"0x1100"}])") == "entry 0: gpa 0x1100 is not 4 KiB aligned");
    CHECK(tdx_error(R"([{"op":"extend","gpa":"0x1080","file":"c"}])") == "entry 0: gpa 0x1080 is not 256-byte aligned");
}

TEST_CASE("\"file\" is required for normal, vmsa and extend entries, and refused elsewhere") {
    CHECK(snp_error(R"([{"type":"normal","gpa":"0x0"}])") == "entry 0: a normal page needs a \"file\" with its contents");
    CHECK(snp_error(R"([{"type":"vmsa","gpa":"0x0"}])") == "entry 0: a vmsa page needs a \"file\" with its contents");
    CHECK(snp_error(R"([{"type":"secrets","gpa":"0x0","file":"s"}])") ==
          "entry 0: a secrets page takes no \"file\": its contents are not measured");
    CHECK(tdx_error(R"([{"op":"extend","gpa":"0x0"}])") == "entry 0: an extend operation needs a \"file\" with its contents");
    CHECK(tdx_error(R"([{"op":"add","gpa":"0x0","file":"p"}])") ==
          "entry 0: an add operation takes no \"file\": its contents are not measured");
    CHECK(contains(snp_error(R"([{"type":"normal","gpa":"0x0","file":""}])"), "is not a usable path"));
    CHECK(contains(snp_error(R"([{"type":"normal","gpa":"0x0","file":"a\u0000b"}])"), "is not a usable path"));
}

TEST_CASE("nesting deeper than an array of flat objects is refused") {
    CHECK(snp_error(R"([{"type":"zero","gpa":[]}])") == "entry 0: \"gpa\" must be a string, got array");
    CHECK(snp_error(R"([{"type":"zero","gpa":["0x0"]}])") ==
          "entry 0: values nested deeper than an array of flat objects");
    CHECK(contains(snp_error(std::string(100000, '[')), "nested deeper"));
}

TEST_CASE("error messages show untrusted strings escaped on one line and truncated") {
    std::string message = snp_error(R"([{"type":"line\nbreak","gpa":"0x0"}])");
    CHECK(message.find('\n') == std::string::npos);
    CHECK(contains(message, R"("line\nbreak")"));
    CHECK(contains(snp_error("[{\"type\":\"" + std::string(1000, 'x') + "\",\"gpa\":\"0x0\"}]"), "x\"... (expected"));
}

TEST_CASE("lists beyond the size and entry limits are refused") {
    CHECK(contains(snp_error(std::string(kMaxPageListJsonBytes + 1, ' ')), "bytes of JSON is more than the limit"));
    std::string many = "[0";
    for (size_t i = 0; i < kMaxPageListEntries; ++i)
        many += ",0";
    CHECK(snp_error(many + "]") == "more than 262144 entries");
}

TEST_CASE("files of the wrong size are refused, naming the entry and file") {
    FakeFiles files = vector_a_files();
    files.files["dir/p0.bin"].resize(5000);
    CHECK(contains(measure_snp_error(kVectorAList, files),
                   "entry 0 (file \"p0.bin\"): NORMAL page at GPA 0x100000: 5000 bytes of contents is not a whole"));
    files = vector_a_files();
    files.files["/abs/vmsa.bin"].resize(8192);
    CHECK(contains(measure_snp_error(kVectorAList, files), "entry 2 (file \"/abs/vmsa.bin\"): VMSA page"));
}

TEST_CASE("a missing file is refused, naming the entry") {
    FakeFiles files = vector_a_files();
    files.files.erase("dir/p0.bin");
    CHECK(measure_snp_error(kVectorAList, files) == "entry 0 (file \"p0.bin\"): dir/p0.bin: No such file or directory");
}

TEST_CASE("a TDX extend of a page never added is refused when measuring") {
    FakeFiles files{{{"c", std::vector<uint8_t>(256)}}, {}};
    auto entries = parse_tdx_op_list(R"([{"op":"extend","gpa":"0x100100","file":"c"}])");
    REQUIRE(entries.ok());
    auto mrtd = TdxMrtd::create();
    REQUIRE(mrtd.ok());
    CHECK(contains(error_of(measure_tdx_op_list(*entries, "", files.reader(), *mrtd)),
                   "entry 0 (file \"c\"): MR.EXTEND at GPA 0x100100: page 0x100000 was not added"));
}

TEST_CASE("read_page_file reads a real file and refuses a missing one") {
    CHECK(contains(error_of(read_page_file("/nonexistent/cw-measure-test", 4096)), "/nonexistent/cw-measure-test"));
    auto self = read_page_file("/proc/self/exe", kMaxPageListFileBytes);
    CHECK_MESSAGE(self.ok(), error_of(self));
}
