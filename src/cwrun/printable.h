// User-given and file-given text quoted in cwrun's one-line errors: control characters become
// '?' and long text is cut, so an error stays one short line whatever it quotes.
#pragma once

#include <string>
#include <string_view>

namespace cw::cwrun {

inline std::string printable(std::string_view text, size_t max = 100) {
    std::string out;
    for (char c : text.substr(0, max))
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    if (text.size() > max)
        out += "...";
    return out;
}

}  // namespace cw::cwrun
