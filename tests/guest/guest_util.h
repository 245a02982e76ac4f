// Shared by the test init's checks (a guest program: runs as PID 1 inside the microVM).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cw::guest_test {

// Prints "cw-test-init: exiting with N", reports N on the exit-status port and reboots.
[[noreturn]] void stop_vm(int status);
// Prints "cw-test-init: FAIL: <what>" (with errno text when errno_too) and stops with 1.
[[noreturn]] void fail(const std::string& what, bool errno_too = true);
// printf to the console with the "cw-test-init: " prefix, flushed.
void say(const char* format, ...) __attribute__((format(printf, 1, 2)));
// A vsock stream connected to the host (CID 2) port `port`; -1 with errno set on failure.
int vsock_connect_host(unsigned port);
// SHA-256 of bytes as lowercase hex (guest_sha.cpp: only the device checks link OpenSSL).
std::string sha256_hex(const void* data, size_t len);

// The device checks (one per device kind); argv[0] is the command name.
[[noreturn]] void check_rng(int argc, char** argv);
[[noreturn]] void check_blk(int argc, char** argv);
[[noreturn]] void check_console(int argc, char** argv);
[[noreturn]] void check_vsock(int argc, char** argv);
[[noreturn]] void check_sim_report(int argc, char** argv);

}  // namespace cw::guest_test
