#ifndef REALMWIRE_DETAIL_BASE64_HPP
#define REALMWIRE_DETAIL_BASE64_HPP

// Base64 through OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock. Needs realmwire::crypto (libcrypto).
//
// Decoding accepts what realm-core's token parser accepts: the standard and the URL-safe alphabet
// (not mixed within one input) and optional '=' padding. Everything else — whitespace, stray '=',
// impossible lengths (4n+1) — is rejected, because EVP_DecodeBlock alone would skip whitespace and
// report padding as zero bytes.

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace realmwire::detail {

enum class base64_alphabet { standard, url };

inline std::string base64_encode(std::string_view in, base64_alphabet alphabet = base64_alphabet::standard,
                                 bool pad = true)
{
    std::string out;
    out.resize(4 * ((in.size() + 2) / 3));
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    if (alphabet == base64_alphabet::url) {
        for (char& c : out) {
            if (c == '+')
                c = '-';
            else if (c == '/')
                c = '_';
        }
    }
    if (!pad) {
        while (!out.empty() && out.back() == '=')
            out.pop_back();
    }
    return out;
}

/// Decodes standard or URL-safe base64, padding optional. std::nullopt on any malformed input.
inline std::optional<std::string> base64_decode(std::string_view in)
{
    std::size_t pad = 0;
    while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=')
        ++pad;
    std::string_view body = in.substr(0, in.size() - pad);
    if (body.size() % 4 == 1)
        return std::nullopt;
    if (pad != 0 && (body.size() + pad) % 4 != 0)
        return std::nullopt;
    bool saw_standard = false;
    bool saw_url = false;
    std::string norm;
    norm.reserve(body.size() + 3);
    for (char c : body) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            norm.push_back(c);
        }
        else if (c == '+' || c == '/') {
            saw_standard = true;
            norm.push_back(c);
        }
        else if (c == '-' || c == '_') {
            saw_url = true;
            norm.push_back(c == '-' ? '+' : '/');
        }
        else {
            return std::nullopt;
        }
    }
    if (saw_standard && saw_url)
        return std::nullopt;
    std::size_t missing = (4 - norm.size() % 4) % 4;
    norm.append(missing, '=');
    std::string out;
    out.resize(norm.size() / 4 * 3);
    if (!norm.empty()) {
        int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(norm.data()), static_cast<int>(norm.size()));
        if (n < 0)
            return std::nullopt;
        out.resize(static_cast<std::size_t>(n) - missing);
    }
    return out;
}

} // namespace realmwire::detail

#endif
