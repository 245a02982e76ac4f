#include "base/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>

namespace cw {

Result<RegularFile> open_regular_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("open " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return Error::sys("stat " + path);
    if (!S_ISREG(st.st_mode))
        return Error::msg(path + " is not a regular file");
    return RegularFile{std::move(fd), static_cast<uint64_t>(st.st_size)};
}

}  // namespace cw
