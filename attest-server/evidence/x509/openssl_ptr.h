// RAII owners for the OpenSSL 3 objects the evidence verifiers use, and the one helper that
// turns OpenSSL's thread-local error queue into a cw::Error. Every OpenSSL allocation in
// attest-server/evidence goes straight into one of these types; nothing is freed by hand.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace cw::attest {

// Deleter calling an OpenSSL free function (taken by address: never a macro).
template <auto FreeFn>
struct OpensslDeleter {
    template <class T>
    void operator()(T* p) const { FreeFn(p); }
};

using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpensslDeleter<ASN1_OBJECT_free>>;

// A non-owning stack of certificates (sk_X509_* are macros, hence the hand-written deleter).
struct X509StackDeleter {
    void operator()(STACK_OF(X509) * stack) const;
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// Drains OpenSSL's error queue into one line ("error:...; error:..."), or "no OpenSSL detail".
// Call it right after the failing call: the queue is per thread and shared by everything.
std::string drain_openssl_errors();

// Error::msg("<step>: <drained OpenSSL errors>").
Error openssl_error(std::string_view step);

}  // namespace cw::attest
