#ifndef REALMWIRE_REFERENCE_DURABLE_LOG_HPP
#define REALMWIRE_REFERENCE_DURABLE_LOG_HPP

// An append-only log file of records, written so that a kill -9 (or a power cut, as far as the file
// system honours fsync) at any moment loses no record that append() returned for, and never yields a
// half record:
//
//   file   = magic record*
//   magic  = "RWLOG\x01\n\0"                       (8 bytes)
//   record = length(u32 LE) crc32(u32 LE, of payload) payload[length]
//
// append() writes the whole record with one write() and then fdatasync()s before returning, so a
// caller acknowledges (to a sync client) only what is on disk. open() reads every record; at the first
// record that is cut short or whose checksum does not match — the torn tail a crash mid-write leaves —
// it truncates the file back to the end of the last good record (and syncs that), so the next append
// does not follow garbage. A record is either wholly there or wholly gone: nothing is duplicated.
// Needs realmwire::compression (zlib's crc32). POSIX only.

#include "realmwire/detail/posix_file.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace realmwire::reference {

struct durable_log_limits {
    /// Largest record accepted by append() and by open() (a longer length field is a torn tail).
    std::uint32_t max_record_size = 256u * 1024u * 1024u;
};

class durable_log {
public:
    static constexpr char magic[8] = {'R', 'W', 'L', 'O', 'G', '\x01', '\n', '\0'};
    static constexpr std::size_t record_header_size = 8;

    durable_log() = default;
    durable_log(const durable_log&) = delete;
    durable_log& operator=(const durable_log&) = delete;
    durable_log(durable_log&& o) noexcept : fd_(o.fd_), size_(o.size_), limits_(o.limits_), truncated_(o.truncated_)
    {
        o.fd_ = -1;
    }
    durable_log& operator=(durable_log&& o) noexcept
    {
        if (this != &o) {
            close();
            fd_ = o.fd_;
            size_ = o.size_;
            limits_ = o.limits_;
            truncated_ = o.truncated_;
            o.fd_ = -1;
        }
        return *this;
    }
    ~durable_log() { close(); }

    /// Opens (creating if needed) `path`, calls `on_record(payload)` for every intact record in order,
    /// and truncates a torn tail. A file that does not start with the magic is refused
    /// (std::errc::illegal_byte_sequence) rather than overwritten.
    void open(const std::string& path, const std::function<void(std::string_view)>& on_record, std::error_code& ec,
              durable_log_limits limits = {})
    {
        ec.clear();
        close();
        limits_ = limits;
        truncated_ = 0;
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            ec = std::error_code(errno, std::generic_category());
            return;
        }
        std::string data;
        if (!::realmwire::detail::read_to_end(fd, data)) {
            ec = std::error_code(errno, std::generic_category());
            ::close(fd);
            return;
        }
        std::size_t good = 0;
        if (data.size() < sizeof magic) {
            // New file, or a crash while writing the magic: start over.
            if (std::string_view(data).substr(0, data.size()) != std::string_view(magic, data.size())) {
                ::close(fd);
                ec = std::make_error_code(std::errc::illegal_byte_sequence);
                return;
            }
            if (::ftruncate(fd, 0) != 0 || !::realmwire::detail::write_all(fd, std::string_view(magic, sizeof magic)) || ::fsync(fd) != 0) {
                ec = std::error_code(errno, std::generic_category());
                ::close(fd);
                return;
            }
            sync_parent_dir(path);
            good = sizeof magic;
            data.assign(magic, sizeof magic);
        }
        else if (std::memcmp(data.data(), magic, sizeof magic) != 0) {
            ::close(fd);
            ec = std::make_error_code(std::errc::illegal_byte_sequence);
            return;
        }
        else {
            good = sizeof magic;
            while (data.size() - good >= record_header_size) {
                std::uint32_t len = get_u32(data.data() + good);
                std::uint32_t crc = get_u32(data.data() + good + 4);
                if (len > limits_.max_record_size || data.size() - good - record_header_size < len)
                    break;
                std::string_view payload(data.data() + good + record_header_size, len);
                if (checksum(payload) != crc)
                    break;
                if (on_record)
                    on_record(payload);
                good += record_header_size + len;
            }
            if (good != data.size()) {
                truncated_ = data.size() - good;
                if (::ftruncate(fd, static_cast<off_t>(good)) != 0 || ::fsync(fd) != 0) {
                    ec = std::error_code(errno, std::generic_category());
                    ::close(fd);
                    return;
                }
            }
        }
        if (::lseek(fd, static_cast<off_t>(good), SEEK_SET) < 0) {
            ec = std::error_code(errno, std::generic_category());
            ::close(fd);
            return;
        }
        fd_ = fd;
        size_ = good;
    }

    bool is_open() const noexcept { return fd_ >= 0; }
    /// Bytes in the file (magic + intact records).
    std::uint64_t size() const noexcept { return size_; }
    /// How many bytes of torn tail open() cut off (0 after a clean shutdown).
    std::uint64_t truncated_bytes() const noexcept { return truncated_; }

    /// Appends one record; `sync` = fdatasync before returning (leave it on unless the caller syncs
    /// a batch itself with sync()). On a failed write the file is cut back to its previous size so a
    /// later append does not follow a partial record.
    void append(std::string_view payload, std::error_code& ec, bool sync = true)
    {
        ec.clear();
        if (fd_ < 0) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return;
        }
        if (payload.size() > limits_.max_record_size) {
            ec = std::make_error_code(std::errc::file_too_large);
            return;
        }
        std::string rec;
        rec.resize(record_header_size);
        put_u32(&rec[0], static_cast<std::uint32_t>(payload.size()));
        put_u32(&rec[4], checksum(payload));
        rec.append(payload.data(), payload.size());
        if (!::realmwire::detail::write_all(fd_, rec)) {
            ec = std::error_code(errno, std::generic_category());
            if (::ftruncate(fd_, static_cast<off_t>(size_)) == 0)
                (void)::lseek(fd_, static_cast<off_t>(size_), SEEK_SET);
            return;
        }
        size_ += rec.size();
        if (sync)
            this->sync(ec);
    }

    void sync(std::error_code& ec)
    {
        ec.clear();
        if (fd_ >= 0 && ::fdatasync(fd_) != 0)
            ec = std::error_code(errno, std::generic_category());
    }

    void close() noexcept
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    static std::uint32_t checksum(std::string_view payload) noexcept
    {
        uLong c = ::crc32(0L, Z_NULL, 0);
        const auto* p = reinterpret_cast<const Bytef*>(payload.data());
        std::size_t left = payload.size();
        while (left > 0) {
            uInt n = static_cast<uInt>(left > 0x40000000u ? 0x40000000u : left);
            c = ::crc32(c, p, n);
            p += n;
            left -= n;
        }
        return static_cast<std::uint32_t>(c);
    }

    /// fsyncs the directory holding `path`, so a newly created file's name survives a crash.
    static void sync_parent_dir(const std::string& path) noexcept { ::realmwire::detail::sync_parent_directory(path); }

    /// Replaces the whole file at `path` (the one open() opened) by the magic and `payload` as its only
    /// record, crash-safely (detail::replace_file through `path`.compact: a crash leaves the old file or
    /// the new one), and keeps it open for appends after that record. On an error the old file is
    /// untouched and stays open.
    void replace(const std::string& path, std::string_view payload, std::error_code& ec)
    {
        ec.clear();
        if (fd_ < 0) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return;
        }
        if (payload.size() > limits_.max_record_size) {
            ec = std::make_error_code(std::errc::file_too_large);
            return;
        }
        std::string file(magic, sizeof magic);
        file.resize(sizeof magic + record_header_size);
        put_u32(&file[sizeof magic], static_cast<std::uint32_t>(payload.size()));
        put_u32(&file[sizeof magic + 4], checksum(payload));
        file.append(payload.data(), payload.size());
        if (!::realmwire::detail::replace_file(path, file, ".compact")) {
            ec = std::error_code(errno, std::generic_category());
            return;
        }
        // The new file holds exactly what was written: reopened for appends, not read back.
        open(path, nullptr, ec, limits_);
    }

private:
    static std::uint32_t get_u32(const char* p) noexcept
    {
        const auto* u = reinterpret_cast<const unsigned char*>(p);
        return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
               static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
    }
    static void put_u32(char* p, std::uint32_t v) noexcept
    {
        for (int i = 0; i < 4; ++i)
            p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    int fd_ = -1;
    std::uint64_t size_ = 0;
    durable_log_limits limits_{};
    std::uint64_t truncated_ = 0;
};

} // namespace realmwire::reference

#endif
