// rng: /dev/hwrng is the virtio-rng device and returns data.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "guest_util.h"

namespace cw::guest_test {

void check_rng(int, char**) {
    std::ifstream current("/sys/class/misc/hw_random/rng_current");
    std::string name;
    std::getline(current, name);
    if (name.rfind("virtio_rng", 0) != 0)
        fail("hwrng is '" + name + "', expected virtio_rng.N", false);
    int fd = open("/dev/hwrng", O_RDONLY);
    if (fd < 0)
        fail("open /dev/hwrng");
    unsigned char buf[4096];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n <= 0)
            fail("read /dev/hwrng");
        got += static_cast<size_t>(n);
    }
    close(fd);
    // 4096 random bytes have (nearly) all 256 values; a device returning zeros has one.
    bool seen[256] = {};
    for (unsigned char b : buf)
        seen[b] = true;
    const auto distinct = std::count(std::begin(seen), std::end(seen), true);
    say("rng: %s gave %zu bytes with %ld distinct values", name.c_str(), got, static_cast<long>(distinct));
    stop_vm(distinct > 200 ? 0 : 1);
}

}  // namespace cw::guest_test
