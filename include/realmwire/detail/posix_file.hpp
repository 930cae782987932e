#ifndef REALMWIRE_DETAIL_POSIX_FILE_HPP
#define REALMWIRE_DETAIL_POSIX_FILE_HPP

// The POSIX file loops every durable store needs (the /auth user store, the sync history log): a read
// to end of file and a write of everything, each retrying EINTR and short transfers, the directory
// fsync that makes a rename survive a crash, and the replacement of a whole file by write-temp, fsync,
// rename. One copy, because each of these is easy to get subtly wrong.

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace realmwire::detail {

/// Writes all of `data` to `fd`. False on an error (errno says which); a partial write may remain.
inline bool write_all(int fd, std::string_view data) noexcept
{
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// Appends what `fd` holds from its offset to end of file to `out`. False on a read error, or with
/// errno = EFBIG when `out` would grow past `max_bytes` (a file is input too: it is bounded).
inline bool read_to_end(int fd, std::string& out, std::size_t max_bytes = std::string::npos)
{
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0)
            return true;
        if (static_cast<std::size_t>(n) > max_bytes - out.size()) {
            errno = EFBIG;
            return false;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

/// fsyncs the directory that holds `path`, so that a rename into it is durable. Best effort: a file
/// system that cannot sync a directory has nothing more to offer.
inline void sync_parent_directory(const std::string& path) noexcept
{
    std::string dir;
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        dir = ".";
    else
        dir = slash == 0 ? "/" : path.substr(0, slash);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

/// Replaces the file at `path` by `contents` so that a crash at any moment leaves either the old file or
/// the new one: written to `path` + `tmp_suffix` (created afresh, mode 0600), fsynced, renamed over
/// `path`, and the directory fsynced. False on an error (errno says which); the old file is then
/// untouched and the temporary one removed.
inline bool replace_file(const std::string& path, std::string_view contents, const char* tmp_suffix = ".tmp") noexcept
{
    const std::string tmp = path + tmp_suffix;
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = write_all(fd, contents) && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
    if (!ok) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        return false;
    }
    sync_parent_directory(path);
    return true;
}

} // namespace realmwire::detail

#endif
