#include "tee/snp/snp_boot_data.h"

#include <algorithm>
#include <cstring>

#include "base/hex.h"

namespace cw::tee::snp {

namespace {

constexpr uint32_t kXsaveLeaf = 0xD;
constexpr uint32_t kXsaveLegacySize = 0x240;  // 512-byte legacy area + 64-byte XSAVE header
constexpr uint64_t kXcr0X87 = 1;

bool table_range(uint32_t function) {
    return function <= 0xFFFF || (function >= 0x40000000 && function <= 0x4000FFFF) ||
           (function >= 0x80000000 && function <= 0x8000FFFF);
}

SnpCpuidTable read_table(const SnpPage& page) {
    SnpCpuidTable t;
    std::memcpy(&t, page.data(), sizeof t);
    t.count = std::min<uint32_t>(t.count, kSnpCpuidMaxFunctions);
    return t;
}

}  // namespace

Result<SnpPage> snp_cpuid_page(std::span<const CpuidLeaf> leaves) {
    SnpCpuidTable table{};
    size_t wanted = 0;
    for (const CpuidLeaf& leaf : leaves) {
        if (!table_range(leaf.function))
            continue;
        if (wanted++ >= kSnpCpuidMaxFunctions)
            continue;  // counted, so the error below can say how many there were
        SnpCpuidFunction& fn = table.fn[table.count++];
        fn.eax_in = leaf.function;
        fn.ecx_in = leaf.index_significant ? leaf.index : 0;
        fn.eax = leaf.eax;
        fn.ebx = leaf.ebx;
        fn.ecx = leaf.ecx;
        fn.edx = leaf.edx;
        if (leaf.function == kXsaveLeaf && leaf.index_significant && leaf.index <= 1) {
            fn.xcr0_in = kXcr0X87;
            fn.ebx = kXsaveLegacySize;
        }
    }
    if (wanted > kSnpCpuidMaxFunctions)
        return Error::msg("SNP CPUID page: " + std::to_string(wanted) + " CPUID entries in the standard, hypervisor and "
                          "extended ranges, the page holds at most " + std::to_string(kSnpCpuidMaxFunctions));
    SnpPage page{};
    std::memcpy(page.data(), &table, sizeof table);
    return page;
}

std::string snp_cpuid_differences(const SnpPage& sent, const SnpPage& returned) {
    SnpCpuidTable a = read_table(sent), b = read_table(returned);
    std::string out;
    auto add = [&](const std::string& what) { out += (out.empty() ? "" : "; ") + what; };
    if (a.count != b.count)
        add("count " + std::to_string(a.count) + " -> " + std::to_string(b.count));
    for (uint32_t i = 0; i < std::min(a.count, b.count); ++i) {
        const SnpCpuidFunction &x = a.fn[i], &y = b.fn[i];
        std::string leaf = hex(x.eax_in) + "." + hex(x.ecx_in).substr(2);
        if (x.eax_in != y.eax_in || x.ecx_in != y.ecx_in) {
            add("entry " + std::to_string(i) + " " + leaf + " became " + hex(y.eax_in) + "." + hex(y.ecx_in).substr(2));
            continue;
        }
        const struct {
            const char* name;
            uint64_t from, to;
        } regs[] = {{"eax", x.eax, y.eax},         {"ebx", x.ebx, y.ebx},
                    {"ecx", x.ecx, y.ecx},         {"edx", x.edx, y.edx},
                    {"xcr0_in", x.xcr0_in, y.xcr0_in}, {"xss_in", x.xss_in, y.xss_in}};
        for (const auto& r : regs)
            if (r.from != r.to)
                add(leaf + " " + r.name + " " + hex(r.from) + " -> " + hex(r.to));
    }
    return out;
}

CcBlobSevInfo cc_blob(uint64_t secrets_gpa, uint64_t cpuid_gpa) {
    CcBlobSevInfo blob{};
    blob.magic = kCcBlobMagic;
    blob.version = kCcBlobVersion;
    blob.secrets_phys = secrets_gpa;
    blob.secrets_len = static_cast<uint32_t>(kSnpPageSize);
    blob.cpuid_phys = cpuid_gpa;
    blob.cpuid_len = static_cast<uint32_t>(kSnpPageSize);
    return blob;
}

Result<CcSetupData> cc_blob_setup_data(uint64_t cc_blob_gpa, uint64_t next) {
    if (cc_blob_gpa > UINT32_MAX)
        return Error::msg("SNP CC blob at " + hex(cc_blob_gpa) + ": setup_data can only point below 4 GiB");
    CcSetupData d{};
    d.header = SetupDataHeader{next, kSetupCcBlob, sizeof(d.cc_blob_address)};
    d.cc_blob_address = static_cast<uint32_t>(cc_blob_gpa);
    return d;
}

}  // namespace cw::tee::snp
