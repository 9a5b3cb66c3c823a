#ifndef SLUICE_TESTS_KUBE_TEST_PKI_H_
#define SLUICE_TESTS_KUBE_TEST_PKI_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace sluice::kube::testing {

// A throwaway certificate authority and a server certificate it signed, made at
// test time (EC P-256, valid for an hour): what a cluster's kubeconfig
// `certificate-authority-data` and the APIServer's serving certificate are.
struct TestPki {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;  // unencrypted PKCS#8
  // A client certificate signed by the same CA (kubeconfig client-certificate-data).
  std::string client_cert_pem;
  std::string client_key_pem;
};

namespace pki_internal {

inline std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int)
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return BioString(bio);
}

inline std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioString(bio);
}

inline bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key`, named `common_name`, signed by `issuer_key` (issuer
// nullptr: self-signed), with the given extensions (nid, value).
inline X509* MakeCert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                      long serial,  // NOLINT(google-runtime-int): OpenSSL's type
                      const std::vector<std::pair<int, std::string>>& extensions) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  bool ok = true;
  for (const auto& [nid, value] : extensions) {
    ok = ok && AddExtension(cert, issuer != nullptr ? issuer : cert, nid, value.c_str());
  }
  if (!ok || X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
    X509_free(cert);
    return nullptr;
  }
  return cert;
}

}  // namespace pki_internal

// Makes a CA, a server certificate for IP 127.0.0.1 and `dns_name`, and a
// client certificate. False if OpenSSL failed.
inline bool MakeTestPki(TestPki* out, const std::string& dns_name = "kubesim.test") {
  using pki_internal::MakeCert;
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* server_key = EVP_EC_gen("P-256");
  EVP_PKEY* client_key = EVP_EC_gen("P-256");
  X509* ca = nullptr;
  X509* server = nullptr;
  X509* client = nullptr;
  if (ca_key != nullptr && server_key != nullptr && client_key != nullptr) {
    ca = MakeCert(ca_key, "sluice-test-ca", nullptr, ca_key, 1,
                  {{NID_basic_constraints, "critical,CA:TRUE"},
                   {NID_key_usage, "critical,keyCertSign,cRLSign"},
                   {NID_subject_key_identifier, "hash"}});
  }
  if (ca != nullptr) {
    server = MakeCert(server_key, "kubesim", ca, ca_key, 2,
                      {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                       {NID_ext_key_usage, "serverAuth"},
                       {NID_subject_key_identifier, "hash"},
                       {NID_authority_key_identifier, "keyid:always"},
                       {NID_subject_alt_name, "IP:127.0.0.1,DNS:" + dns_name}});
    client = MakeCert(client_key, "system:serviceaccount:argo:sluice", ca, ca_key, 3,
                      {{NID_basic_constraints, "critical,CA:FALSE"},
                       {NID_key_usage, "critical,digitalSignature"},
                       {NID_ext_key_usage, "clientAuth"},
                       {NID_authority_key_identifier, "keyid:always"}});
  }
  const bool ok = server != nullptr && client != nullptr;
  if (ok) {
    out->ca_cert_pem = pki_internal::CertPem(ca);
    out->server_cert_pem = pki_internal::CertPem(server);
    out->server_key_pem = pki_internal::KeyPem(server_key);
    out->client_cert_pem = pki_internal::CertPem(client);
    out->client_key_pem = pki_internal::KeyPem(client_key);
  }
  X509_free(client);
  X509_free(server);
  X509_free(ca);
  EVP_PKEY_free(client_key);
  EVP_PKEY_free(server_key);
  EVP_PKEY_free(ca_key);
  return ok;
}

}  // namespace sluice::kube::testing

#endif  // SLUICE_TESTS_KUBE_TEST_PKI_H_
