#ifndef REALMWIRE_PROTOCOL_ENTRIES_HPP
#define REALMWIRE_PROTOCOL_ENTRIES_HPP

// The changeset entries of an UPLOAD or DOWNLOAD body (uncompressed form):
//
//   upload entry   = client_version SP server_version SP origin_timestamp SP origin_file_ident SP
//                    changeset_size SP changeset[changeset_size]
//   download entry = server_version SP client_version SP origin_timestamp SP origin_file_ident SP
//                    original_changeset_size SP changeset_size SP changeset[changeset_size]
//
// No separator follows the changeset bytes. The changeset bytes are opaque here (see
// realmwire/changeset/ for their format). Iterating a validated body allocates nothing: each entry's
// `changeset` is a view into the body.

#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/detail/field_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <system_error>

namespace realmwire::protocol {

struct upload_entry {
    std::uint64_t client_version = 0;    ///< version produced by the changeset
    std::uint64_t server_version = 0;    ///< last server version integrated before it
    std::uint64_t origin_timestamp = 0;  ///< ms since 2015-01-01T00:00:00Z
    std::uint64_t origin_file_ident = 0; ///< 0 for local changes
    std::string_view changeset{};

    friend bool operator==(const upload_entry& a, const upload_entry& b) noexcept
    {
        return a.client_version == b.client_version && a.server_version == b.server_version &&
               a.origin_timestamp == b.origin_timestamp && a.origin_file_ident == b.origin_file_ident &&
               a.changeset == b.changeset;
    }
    friend bool operator!=(const upload_entry& a, const upload_entry& b) noexcept { return !(a == b); }
};

struct download_entry {
    std::uint64_t server_version = 0; ///< never 0 on the wire
    std::uint64_t client_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0;
    std::uint64_t original_changeset_size = 0; ///< size before server-side compaction (progress only)
    std::string_view changeset{};

    friend bool operator==(const download_entry& a, const download_entry& b) noexcept
    {
        return a.server_version == b.server_version && a.client_version == b.client_version &&
               a.origin_timestamp == b.origin_timestamp && a.origin_file_ident == b.origin_file_ident &&
               a.original_changeset_size == b.original_changeset_size && a.changeset == b.changeset;
    }
    friend bool operator!=(const download_entry& a, const download_entry& b) noexcept { return !(a == b); }
};

namespace detail {

// Reads one entry at the front of `r`. Header syntax errors become bad_changeset_header (111), a
// size past the end of the body bad_changeset_size (112).
// An entry header: each value in decimal followed by one SP (the reading side of append_entry_header).
template <class... U64>
inline bool read_entry_header(field_reader& r, message_error& err, U64&... values) noexcept
{
    if ((r.read_u64(values, ' ') && ...))
        return true;
    err = message_error::bad_changeset_header;
    return false;
}

// The `size` changeset bytes that follow an entry header.
inline bool read_entry_changeset(field_reader& r, std::string_view& changeset, std::uint64_t size,
                                 message_error& err) noexcept
{
    if (r.read_bytes(changeset, size))
        return true;
    err = message_error::bad_changeset_size;
    return false;
}

inline bool read_entry(field_reader& r, upload_entry& e, message_error& err) noexcept
{
    std::uint64_t size = 0;
    return read_entry_header(r, err, e.client_version, e.server_version, e.origin_timestamp, e.origin_file_ident,
                             size) &&
           read_entry_changeset(r, e.changeset, size, err);
}

inline bool read_entry(field_reader& r, download_entry& e, message_error& err) noexcept
{
    std::uint64_t size = 0;
    if (!read_entry_header(r, err, e.server_version, e.client_version, e.origin_timestamp, e.origin_file_ident,
                           e.original_changeset_size, size))
        return false;
    if (e.server_version == 0) {
        err = message_error::zero_server_version;
        return false;
    }
    return read_entry_changeset(r, e.changeset, size, err);
}

// An entry header: each value in decimal followed by one SP; the changeset bytes follow the last SP.
template <class String, class... U64>
inline void append_entry_header(String& out, U64... values)
{
    ((append_u64(out, values), out.push_back(' ')), ...);
}

template <class String>
inline void write_entry(String& out, const upload_entry& e)
{
    append_entry_header(out, e.client_version, e.server_version, e.origin_timestamp, e.origin_file_ident,
                        e.changeset.size());
    out.append(e.changeset.data(), e.changeset.size());
}

template <class String>
inline void write_entry(String& out, const download_entry& e)
{
    append_entry_header(out, e.server_version, e.client_version, e.origin_timestamp, e.origin_file_ident,
                        e.original_changeset_size, e.changeset.size());
    out.append(e.changeset.data(), e.changeset.size());
}

} // namespace detail

/// A view of a validated body's entries. Cheap to copy; iteration allocates nothing.
template <class Entry>
class entry_range {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using pointer = const Entry*;
        using reference = const Entry&;

        iterator() = default;
        reference operator*() const noexcept { return cur_; }
        pointer operator->() const noexcept { return &cur_; }
        iterator& operator++() noexcept
        {
            advance();
            return *this;
        }
        iterator operator++(int) noexcept
        {
            iterator t = *this;
            advance();
            return t;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.rest_.data() == b.rest_.data() && a.done_ == b.done_; }
        friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

    private:
        friend class entry_range;
        explicit iterator(std::string_view body) noexcept : rest_(body) { advance(); }
        static iterator end_of(std::string_view body) noexcept
        {
            iterator it;
            it.rest_ = body.substr(body.size());
            it.done_ = true;
            return it;
        }
        void advance() noexcept
        {
            if (rest_.empty()) {
                done_ = true;
                return;
            }
            // The body was validated; a failure here can only come from a hand-built range, and ends
            // the iteration instead of reading past the end.
            detail::field_reader r(rest_, true);
            message_error err{};
            if (!detail::read_entry(r, cur_, err)) {
                rest_ = rest_.substr(rest_.size());
                done_ = true;
                return;
            }
            rest_ = r.rest();
        }

        std::string_view rest_{};
        Entry cur_{};
        bool done_ = false;
    };
    using const_iterator = iterator;

    entry_range() = default;

    iterator begin() const noexcept { return iterator(bytes_); }
    iterator end() const noexcept { return iterator::end_of(bytes_); }
    std::size_t size() const noexcept { return count_; }
    /// The first entry, by value (an iterator owns the entry it yields: do not keep `*begin()` by
    /// reference past the iterator). Empty range: a default entry.
    Entry front() const noexcept { return empty() ? Entry{} : *begin(); }
    bool empty() const noexcept { return count_ == 0; }
    /// The body bytes the entries were read from.
    std::string_view bytes() const noexcept { return bytes_; }

    /// Validates every entry of `body` and counts them.
    static entry_range parse(std::string_view body, std::error_code& ec, bool allow_leading_zeros = false,
                             std::size_t* error_offset = nullptr) noexcept
    {
        ec.clear();
        detail::field_reader r(body, allow_leading_zeros);
        std::size_t n = 0;
        Entry e;
        while (!r.at_end()) {
            message_error err{};
            if (!detail::read_entry(r, e, err)) {
                ec = err;
                if (error_offset)
                    *error_offset = r.offset();
                return {};
            }
            ++n;
        }
        entry_range out;
        out.bytes_ = body;
        out.count_ = n;
        return out;
    }

    friend bool operator==(const entry_range& a, const entry_range& b) noexcept
    {
        return a.count_ == b.count_ && a.bytes_ == b.bytes_;
    }
    friend bool operator!=(const entry_range& a, const entry_range& b) noexcept { return !(a == b); }

private:
    std::string_view bytes_{};
    std::size_t count_ = 0;
};

using upload_entries = entry_range<upload_entry>;
using download_entries = entry_range<download_entry>;

/// Validates an uncompressed UPLOAD body: errors bad_changeset_header / bad_changeset_size.
inline upload_entries parse_upload_entries(std::string_view body, std::error_code& ec, bool allow_leading_zeros = false) noexcept
{
    return upload_entries::parse(body, ec, allow_leading_zeros);
}
/// Validates an uncompressed DOWNLOAD body: also rejects server_version 0 (zero_server_version).
inline download_entries parse_download_entries(std::string_view body, std::error_code& ec, bool allow_leading_zeros = false) noexcept
{
    return download_entries::parse(body, ec, allow_leading_zeros);
}

/// Appends one entry to a body under construction.
template <class String>
void append_entry(String& body, const upload_entry& e) { detail::write_entry(body, e); }
template <class String>
void append_entry(String& body, const download_entry& e) { detail::write_entry(body, e); }

} // namespace realmwire::protocol

#endif
