#include "evidence/x509/openssl_ptr.h"

#include <openssl/err.h>

#include <array>

namespace cw::attest {

void X509StackDeleter::operator()(STACK_OF(X509) * stack) const {
    // The stack never owns its certificates (callers keep them in X509Ptr).
    sk_X509_free(stack);
}

std::string drain_openssl_errors() {
    std::string out;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        std::array<char, 256> buf{};
        ERR_error_string_n(code, buf.data(), buf.size());
        if (!out.empty())
            out += "; ";
        out += buf.data();
    }
    return out.empty() ? std::string("no OpenSSL detail") : out;
}

Error openssl_error(std::string_view step) {
    return Error::msg(std::string(step) + ": " + drain_openssl_errors());
}

}  // namespace cw::attest
