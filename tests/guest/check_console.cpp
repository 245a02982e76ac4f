// console: the guest's console is virtio-console (hvc0) and carries input and output.
// Reads one line from the console (typed on the host side), answers it, exits 0.
#include <fstream>
#include <iostream>
#include <string>

#include "guest_util.h"

namespace cw::guest_test {

void check_console(int, char**) {
    std::ifstream consoles("/proc/consoles");
    std::string first;
    std::getline(consoles, first);
    if (first.rfind("hvc0", 0) != 0)
        fail("the kernel console is '" + first + "', expected hvc0", false);
    say("console: kernel console %s", first.substr(0, first.find(' ')).c_str());
    say("console: ready for input");
    std::string line;
    if (!std::getline(std::cin, line))
        fail("console: no input line", false);
    say("console: got '%s'", line.c_str());
    stop_vm(0);
}

}  // namespace cw::guest_test
