#include "cwrun/guest_args.h"

#include "cwrun/printable.h"

namespace cw::cwrun {

namespace {

// The bytes the kernel's isspace() is true for, besides the control characters refused below.
bool kernel_space(char c) {
    return c == ' ' || c == '\t' || static_cast<unsigned char>(c) == 0xa0;
}

Result<std::string> quote(const std::string& arg, size_t index) {
    const std::string where = "argument " + std::to_string(index + 1) + " after --";
    if (arg.empty())
        return Error::msg(where + " is empty: the kernel command line cannot pass an empty argument");
    if (arg == "--")
        return Error::msg(where + " is '--': the kernel ends the init arguments there");
    bool needs_quotes = false;
    for (char c : arg) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"')
            return Error::msg(where + " \"" + printable(arg) +
                              "\" contains '\"': the kernel command line has no way to pass it");
        if (kernel_space(c))
            needs_quotes = true;
        else if (byte < 0x20 || byte == 0x7f)
            return Error::msg(where + " \"" + printable(arg) +
                              "\" contains a control character: the kernel command line cannot pass it");
    }
    return needs_quotes ? "\"" + arg + "\"" : arg;
}

}  // namespace

Result<std::string> guest_args_cmdline(const std::vector<std::string>& args) {
    if (args.empty())
        return std::string();
    if (args.size() > kMaxGuestArgs)
        return Error::msg(std::to_string(args.size()) + " arguments after --: the kernel passes at most " +
                          std::to_string(kMaxGuestArgs) + " to init");
    std::string out = " --";
    for (size_t i = 0; i < args.size(); ++i)
        out += " " + CW_TRY(quote(args[i], i));
    return out;
}

}  // namespace cw::cwrun
