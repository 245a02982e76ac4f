#include "base/result.h"

#include <cstring>

namespace cw {

std::string Error::to_string() const {
    if (m_errno == 0)
        return m_message;
    return m_message + ": " + std::strerror(m_errno);
}

}  // namespace cw
