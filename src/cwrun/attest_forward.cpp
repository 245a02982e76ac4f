#include "cwrun/attest_forward.h"

namespace cw::cwrun {

std::string vsock_forward_spec(uint32_t vsock_port, const workload::ServerUrl& to) {
    const bool v6 = to.host.find(':') != std::string::npos;
    return std::to_string(vsock_port) + "=" + (v6 ? "[" + to.host + "]" : to.host) + ":" + std::to_string(to.port);
}

}  // namespace cw::cwrun
