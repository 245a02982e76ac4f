// Smoke test of a KVM host: create a VM, enter 64-bit long mode directly, run a few guest
// instructions and read back their port write. Proves /dev/kvm can run ordinary guest code
// (the development machines' PVM cannot; the nested test host and hardware KVM can).
//
// Deliberately self-contained (raw ioctls, no VMM library) so it tests the host, not us.
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "base/result.h"
#include "base/unique_fd.h"

namespace {

constexpr uint64_t kMemSize = 2 << 20;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kCode = 0x10000;
constexpr uint16_t kPort = 0x10;
constexpr uint8_t kExpected = 0x42;

// movabs rax, 0x4200000000; shr rax, 32; out 0x10, al; hlt
// In 32-bit mode the REX.W prefixes decode as `dec eax` and the value written differs,
// so a correct byte at the port proves the guest really ran in 64-bit mode.
constexpr std::array<uint8_t, 18> kGuestCode = {
    0x48, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x42, 0x00, 0x00, 0x00,  // movabs rax, imm64
    0x48, 0xc1, 0xe8, 0x20,                                      // shr rax, 32
    0xe6, kPort,                                                 // out 0x10, al
    0xf4,                                                        // hlt
    0xf4,
};

cw::Result<int> checked_ioctl(int fd, unsigned long request, const char* name, void* arg = nullptr) {
    int r = ::ioctl(fd, request, arg);
    if (r < 0)
        return cw::Error::sys(name);
    return r;
}

void write_u64(uint8_t* mem, uint64_t gpa, uint64_t value) { std::memcpy(mem + gpa, &value, sizeof value); }

kvm_segment code_segment() {
    kvm_segment s{};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = 0x8;
    s.type = 11;  // execute/read, accessed
    s.present = 1;
    s.s = 1;
    s.l = 1;  // 64-bit code segment
    s.g = 1;
    return s;
}

kvm_segment data_segment() {
    kvm_segment s = code_segment();
    s.selector = 0x10;
    s.type = 3;  // read/write, accessed
    s.l = 0;
    s.db = 1;
    return s;
}

cw::Result<void> run() {
    cw::UniqueFd kvm(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
    if (!kvm.valid())
        return cw::Error::sys("open /dev/kvm");
    int version = CW_TRY(checked_ioctl(kvm.get(), KVM_GET_API_VERSION, "KVM_GET_API_VERSION"));
    if (version != KVM_API_VERSION)
        return cw::Error::msg("KVM_GET_API_VERSION: unexpected version " + std::to_string(version));

    cw::UniqueFd vm(CW_TRY(checked_ioctl(kvm.get(), KVM_CREATE_VM, "KVM_CREATE_VM")));

    void* map = ::mmap(nullptr, kMemSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return cw::Error::sys("mmap guest memory");
    auto* mem = static_cast<uint8_t*>(map);

    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = kMemSize;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem);
    CW_TRY(checked_ioctl(vm.get(), KVM_SET_USER_MEMORY_REGION, "KVM_SET_USER_MEMORY_REGION", &region));

    // Identity map of the first 2 MiB with one large page.
    write_u64(mem, kPml4, kPdpt | 0x3);
    write_u64(mem, kPdpt, kPd | 0x3);
    write_u64(mem, kPd, 0x0 | 0x83);  // present, writable, 2 MiB page
    std::memcpy(mem + kCode, kGuestCode.data(), kGuestCode.size());

    cw::UniqueFd vcpu(CW_TRY(checked_ioctl(vm.get(), KVM_CREATE_VCPU, "KVM_CREATE_VCPU")));
    int run_size = CW_TRY(checked_ioctl(kvm.get(), KVM_GET_VCPU_MMAP_SIZE, "KVM_GET_VCPU_MMAP_SIZE"));
    void* run_map = ::mmap(nullptr, static_cast<size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.get(), 0);
    if (run_map == MAP_FAILED)
        return cw::Error::sys("mmap kvm_run");
    auto* kvm_run_area = static_cast<kvm_run*>(run_map);

    kvm_sregs sregs{};
    CW_TRY(checked_ioctl(vcpu.get(), KVM_GET_SREGS, "KVM_GET_SREGS", &sregs));
    sregs.cr3 = kPml4;
    sregs.cr4 = 1u << 5;                       // PAE
    sregs.cr0 = (1u << 0) | (1u << 31);        // PE, PG
    sregs.efer = (1u << 8) | (1u << 10);       // LME, LMA
    sregs.cs = code_segment();
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data_segment();
    CW_TRY(checked_ioctl(vcpu.get(), KVM_SET_SREGS, "KVM_SET_SREGS", &sregs));

    kvm_regs regs{};
    regs.rip = kCode;
    regs.rsp = 0x8000;
    regs.rflags = 0x2;
    CW_TRY(checked_ioctl(vcpu.get(), KVM_SET_REGS, "KVM_SET_REGS", &regs));

    bool saw_port_write = false;
    for (int exits = 0; exits < 16; ++exits) {
        CW_TRY(checked_ioctl(vcpu.get(), KVM_RUN, "KVM_RUN"));
        switch (kvm_run_area->exit_reason) {
        case KVM_EXIT_IO: {
            const auto& io = kvm_run_area->io;
            if (io.direction != KVM_EXIT_IO_OUT || io.port != kPort || io.size != 1)
                return cw::Error::msg("unexpected port access " + std::to_string(io.port));
            uint8_t value = *(reinterpret_cast<uint8_t*>(kvm_run_area) + io.data_offset);
            if (value != kExpected)
                return cw::Error::msg("guest wrote " + std::to_string(value) + ", expected 66 (not in 64-bit mode?)");
            saw_port_write = true;
            break;
        }
        case KVM_EXIT_HLT: {
            if (!saw_port_write)
                return cw::Error::msg("guest halted before writing the port");
            CW_TRY(checked_ioctl(vcpu.get(), KVM_GET_SREGS, "KVM_GET_SREGS", &sregs));
            if ((sregs.efer & (1u << 10)) == 0)
                return cw::Error::msg("EFER.LMA clear after run: guest not in long mode");
            std::printf("kvm-smoke: guest ran in 64-bit mode and wrote 0x%x to port 0x%x\n", kExpected, kPort);
            return {};
        }
        case KVM_EXIT_INTERNAL_ERROR:
            return cw::Error::msg("KVM_EXIT_INTERNAL_ERROR suberror " +
                                  std::to_string(kvm_run_area->internal.suberror) +
                                  " (a software/PVM KVM cannot run this guest)");
        default:
            return cw::Error::msg("unexpected exit reason " + std::to_string(kvm_run_area->exit_reason));
        }
    }
    return cw::Error::msg("guest did not halt within 16 exits");
}

}  // namespace

int main() {
    auto result = run();
    if (!result.ok()) {
        std::fprintf(stderr, "kvm-smoke: %s\n", result.error().to_string().c_str());
        return 1;
    }
    return 0;
}
