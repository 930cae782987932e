#ifndef REALMWIRE_MERGE_WORKING_CHANGESET_HPP
#define REALMWIRE_MERGE_WORKING_CHANGESET_HPP

// The changeset form the merge works on. The transformer discards instructions and prepends new ones
// while it holds positions into the same changeset (the major side's cursor, the conflict index's
// ranges, a saved minor position). realm-core keeps such positions valid by never shifting the outer
// sequence: every decoded instruction sits in its own slot; an erased one leaves its slot empty (a
// tombstone) and a prepended one is inserted into the slot of the instruction it precedes. We keep
// exactly that layout because the order in which the rules meet instructions, and therefore the
// merged bytes, depends on it.

#include "realmwire/changeset/instruction.hpp"
#include "realmwire/config.hpp"
#include "realmwire/errors/merge.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::merge {

namespace detail {

/// Why a merge stopped. The rules meet a bad index three calls down; they record it here and return,
/// every loop of the engine checks it and unwinds by returning, and the public calls turn it into an
/// error_code. No exceptions, so the merge compiles and behaves the same with -fno-exceptions. The
/// first failure wins: what happens after it (a rule finishing its body on a placeholder) is never
/// used, and every step that could move a position (discard, prepend, advance) is a no-op by then.
class failure {
public:
    explicit operator bool() const noexcept { return failed_; }
    merge_error code() const noexcept { return code_; }
    const std::string& what() const noexcept { return what_; }

    void set(merge_error e, std::string what)
    {
        if (failed_)
            return;
        failed_ = true;
        code_ = e;
        what_ = std::move(what);
    }
    void set(merge_error e, const char* what)
    {
        if (!failed_)
            set(e, std::string(what));
    }

private:
    bool failed_ = false;
    merge_error code_{};
    std::string what_;
};

} // namespace detail

/// A position: slot, then index inside the slot. A position on an empty slot is a tombstone.
struct position {
    std::size_t slot = 0;
    std::size_t sub = 0;
    friend bool operator==(position a, position b) noexcept { return a.slot == b.slot && a.sub == b.sub; }
    friend bool operator!=(position a, position b) noexcept { return !(a == b); }
    friend bool operator<(position a, position b) noexcept
    {
        return a.slot == b.slot ? a.sub < b.sub : a.slot < b.slot;
    }
    friend bool operator>=(position a, position b) noexcept { return !(a < b); }
};

/// A changeset with its realm metadata, in the tombstone-capable slot layout.
class working_changeset {
public:
    std::vector<std::string> strings;
    std::vector<std::vector<changeset::instruction>> slots;
    std::uint64_t version = 0;
    std::uint64_t last_integrated_remote_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0;
    bool dirty = false;

    working_changeset() = default;
    explicit working_changeset(const changeset::changeset& cs) { assign(cs); }

    void assign(const changeset::changeset& cs)
    {
        strings = cs.strings;
        slots.clear();
        slots.reserve(cs.instructions.size());
        for (const auto& in : cs.instructions)
            slots.emplace_back(1, in);
        dirty = false;
    }

    position begin() const noexcept { return {0, 0}; }
    position end() const noexcept { return {slots.size(), 0}; }

    /// The instruction at `p`, nullptr for a tombstone. A position outside the changeset is a broken
    /// invariant: it is recorded in `f` and answered with nullptr.
    changeset::instruction* at(position p, detail::failure& f)
    {
        if (p.slot >= slots.size()) {
            f.set(merge_error::invalid_instruction, "position past the changeset");
            return nullptr;
        }
        auto& s = slots[p.slot];
        if (s.empty())
            return nullptr;
        if (p.sub >= s.size()) {
            f.set(merge_error::invalid_instruction, "position past its slot");
            return nullptr;
        }
        return &s[p.sub];
    }
    /// The same, for a position known to be inside (an iteration from begin() to end()).
    const changeset::instruction* at(position p) const noexcept
    {
        if (p.slot >= slots.size() || p.sub >= slots[p.slot].size())
            return nullptr;
        return &slots[p.slot][p.sub];
    }

    /// The next position. At or past the end it stays where it is (callers test for end() first).
    void advance(position& p) const noexcept
    {
        if (p.slot >= slots.size())
            return;
        ++p.sub;
        if (p.sub >= slots[p.slot].size()) {
            ++p.slot;
            p.sub = 0;
        }
    }

    /// Inserts [b, e) before `p`; returns the position of the first inserted instruction. A position
    /// outside the changeset is recorded in `f` and nothing is inserted.
    position insert_stable(position p, const changeset::instruction* b, const changeset::instruction* e,
                           detail::failure& f)
    {
        if (p.slot >= slots.size() || p.sub > slots[p.slot].size()) {
            f.set(merge_error::invalid_instruction, "insert past its slot");
            return p;
        }
        auto& s = slots[p.slot];
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(p.sub), b, e);
        return p;
    }

    /// Erases the instruction at `p`; returns the position of what follows it.
    position erase_stable(position p)
    {
        auto& s = slots[p.slot];
        s.erase(s.begin() + static_cast<std::ptrdiff_t>(p.sub));
        if (p.sub >= s.size()) {
            do {
                ++p.slot;
            } while (p.slot != slots.size() && slots[p.slot].empty());
            p.sub = 0;
        }
        return p;
    }

    std::size_t size() const noexcept
    {
        std::size_t n = 0;
        for (const auto& s : slots)
            n += s.size();
        return n;
    }
    bool empty() const noexcept { return size() == 0; }

    const std::string& str(changeset::string_id id) const { return strings[id.index]; }

    changeset::string_id intern(std::string_view s)
    {
        for (std::size_t i = 0; i < strings.size(); ++i) {
            if (strings[i] == s)
                return {static_cast<std::uint32_t>(i)};
        }
        strings.emplace_back(s);
        return {static_cast<std::uint32_t>(strings.size() - 1)};
    }

    /// The surviving instructions in order, with every string (including those interned by the merge).
    changeset::changeset to_changeset() const
    {
        changeset::changeset cs;
        cs.strings = strings;
        cs.instructions.reserve(size());
        for (const auto& s : slots)
            for (const auto& in : s)
                cs.instructions.push_back(in);
        return cs;
    }
};

} // namespace realmwire::merge

#endif
