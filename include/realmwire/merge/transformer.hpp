#ifndef REALMWIRE_MERGE_TRANSFORMER_HPP
#define REALMWIRE_MERGE_TRANSFORMER_HPP

// The operational transform of realm sync: incoming changesets are transformed against the history
// entries their author had not seen, so that every replica converges.
//
// Sans-I/O: the history is an object with three members (find_history_entry, get_reciprocal_transform,
// set_reciprocal_transform; see is_transform_history), bytes in and bytes out.
//
// Each history entry is merged in its "reciprocal" form: the entry as already transformed against
// earlier changesets from the same peer. The merge rewrites both sides; the changed reciprocal forms are
// written back (flushed) at the end of a successful call, the transformed incoming changesets replace the
// given ones. Encode a result with encode_transformed: realm-core's canonical layout, all strings first
// (including names the merge interned), a changeset without instructions as zero bytes.

#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/merge.hpp"
#include "realmwire/merge/conflict_index.hpp"
#include "realmwire/merge/limits.hpp"
#include "realmwire/merge/rules.hpp"
#include "realmwire/merge/working_changeset.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace realmwire::merge {

/// A changeset with realm's metadata.
struct versioned_changeset {
    changeset::changeset cs;
    std::uint64_t version = 0; ///< its version in the history it came from (remote version)
    std::uint64_t last_integrated_remote_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0;
};

/// One history entry, as find_history_entry reports it.
struct history_entry_view {
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0; ///< 0 = the local file itself
    std::uint64_t remote_version = 0;
    std::string_view changeset; ///< encoded changeset bytes
};

/// The type-erased history.
class transform_history {
public:
    virtual ~transform_history() = default;
    /// The next entry with version in (begin, end] that incoming changesets must be transformed against
    /// (a server: one from another client file, non-empty); its version, 0 if there is none.
    virtual std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, history_entry_view& out) = 0;
    /// The entry's reciprocal transform, encoded (the entry itself if there is none yet).
    virtual std::string get_reciprocal_transform(std::uint64_t version) = 0;
    virtual void set_reciprocal_transform(std::uint64_t version, std::string encoded) = 0;
};

template <class H, class = void>
struct is_transform_history : std::false_type {};
template <class H>
struct is_transform_history<
    H, std::void_t<decltype(std::uint64_t(std::declval<H&>().find_history_entry(
                       std::uint64_t{}, std::uint64_t{}, std::declval<history_entry_view&>()))),
                   decltype(std::string(std::declval<H&>().get_reciprocal_transform(std::uint64_t{}))),
                   decltype(std::declval<H&>().set_reciprocal_transform(std::uint64_t{}, std::string{}))>>
    : std::true_type {};
template <class H>
inline constexpr bool is_transform_history_v = is_transform_history<H>::value;

/// realm-core's canonical re-encoding of a (transformed) changeset: strings first, nothing when empty.
inline std::string encode_transformed(const versioned_changeset& c, std::error_code& ec)
{
    return changeset::encode(c.cs, changeset::layout::strings_first, ec);
}
inline std::string encode_transformed(const versioned_changeset& c)
{
    return changeset::encode(c.cs, changeset::layout::strings_first);
}

namespace detail {

/// Every string id an instruction holds must name one of the changeset's strings.
inline bool check_strings(const working_changeset& c, failure& f)
{
    const std::size_t n = c.strings.size();
    bool ok = true;
    for (const auto& slot : c.slots)
        for (const auto& in : slot)
            changeset::detail::for_each_string_ref(in, [&](changeset::string_id id) {
                if (id.index >= n)
                    ok = false;
            });
    if (!ok)
        f.set(merge_error::invalid_string_ref, "string id out of range");
    return ok;
}

class engine;

class major_side final : public side {
public:
    explicit major_side(engine& e) : engine_(e) {}
    position pos{};

    void start(position p)
    {
        pos = p;
        skip_tombstones();
        if (failed())
            return;
        begin_at_cursor();
    }
    void skip_tombstones()
    {
        while (pos != changeset->end() && !changeset->at(pos, *error) && !failed())
            changeset->advance(pos);
    }
    void next_instruction()
    {
        do {
            changeset->advance(pos);
        } while (pos != changeset->end() && !changeset->at(pos, *error) && !failed());
    }
    changeset::instruction& get() override
    {
        return live_or_fail(changeset->at(pos, *error), "major side on a tombstone");
    }
    void discard() override;
    void prepend(const changeset::instruction* b, const changeset::instruction* e) override;
    using side::prepend;

private:
    engine& engine_;
};

class minor_side final : public side {
public:
    explicit minor_side(engine& e) : engine_(e) {}
    range_cursor pos{};
    range_set* ranges = nullptr;
    conflict_index* index = nullptr;

    range_cursor begin() const { return range_cursor::begin(ranges); }
    range_cursor end() const { return range_cursor::end(ranges); }

    void update_changeset()
    {
        changeset = pos.at_end() ? nullptr : &index->changeset_at((*ranges)[pos.outer].changeset);
    }
    void skip_tombstones()
    {
        if (!pos.at_end() && pos.get(*index, *error))
            return;
        while (!pos.at_end() && !pos.get(*index, *error) && !failed())
            pos.next(*index);
        update_changeset();
    }
    void next_instruction()
    {
        pos.next(*index);
        update_changeset();
        skip_tombstones();
    }
    void start(range_cursor p)
    {
        pos = p;
        update_changeset();
        skip_tombstones();
        if (failed() || !changeset) {
            fail(merge_error::invalid_instruction, "minor side past its ranges");
            return;
        }
        begin_at_cursor();
    }
    changeset::instruction& get() override
    {
        return live_or_fail(pos.at_end() ? nullptr : pos.get(*index, *error), "minor side on a tombstone");
    }
    void discard() override;
    void prepend(const changeset::instruction* b, const changeset::instruction* e) override;
    using side::prepend;

private:
    engine& engine_;
};

/// realm's transformer loop: every history instruction (major) meets the incoming instructions of its
/// conflict group (minor), in order. A failure (recorded in `error`) stops every loop; the steps that
/// move positions (discard, prepend) do nothing once it is set, so a rule that finishes its body after
/// recording a failure cannot walk out of a changeset.
class engine {
public:
    engine(const limits& lim, failure& error) : limits_(lim), error_(error), major_(*this), minor_(*this)
    {
        major_.error = &error_;
        minor_.error = &error_;
    }

    void transform(working_changeset& ours, conflict_index& index)
    {
        major_.changeset = &ours;
        minor_.index = &index;
        major_.pos = ours.begin();
        major_.skip_tombstones();
        while (!error_ && major_.pos != ours.end()) {
            major_.start(major_.pos);
            if (error_)
                return;
            set_conflict_ranges(index);
            minor_end_ = minor_.end();
            minor_.pos = minor_.begin();
            transform_major();
            if (error_)
                return;
            if (!major_.was_discarded)
                major_.next_instruction();
            major_.skip_tombstones();
        }
    }

    void discard_major()
    {
        if (error_)
            return;
        major_.pos = major_.changeset->erase_stable(major_.pos);
        major_.was_discarded = true;
        major_.changeset->dirty = true;
    }
    void discard_minor()
    {
        if (error_)
            return;
        minor_.was_discarded = true;
        minor_.pos.erase(*minor_.index);
        minor_.changeset->dirty = true;
        minor_.update_changeset();
    }
    void prepend_major(const changeset::instruction* b, const changeset::instruction* e)
    {
        if (error_)
            return;
        major_.pos = major_.changeset->insert_stable(major_.pos, b, e, error_);
        if (error_)
            return;
        major_.changeset->dirty = true;
        transform_prepended_major(static_cast<std::size_t>(e - b));
    }
    void prepend_minor(const changeset::instruction* b, const changeset::instruction* e)
    {
        if (error_)
            return;
        minor_.pos.pos = minor_.changeset->insert_stable(minor_.pos.pos, b, e, error_);
        if (error_)
            return;
        minor_.changeset->dirty = true;
        // Back to the instruction that asked for the prepend.
        for (auto n = e - b; n > 0; --n)
            minor_.pos.next(*minor_.index);
    }

    std::size_t pairs = 0;

private:
    limits limits_;
    failure& error_;
    major_side major_;
    minor_side minor_;
    range_cursor minor_end_{};

    void set_conflict_ranges(conflict_index& index)
    {
        const auto& in = major_.get();
        if (is_schema_instruction(in)) {
            minor_.ranges = index.everything();
        }
        else {
            std::string keys[2];
            object_keys(*major_.changeset, in, keys);
            minor_.ranges = index.for_object(keys[0]);
        }
    }

    void transform_prepended_major(std::size_t n)
    {
        const bool major_was_discarded = major_.was_discarded;
        const std::size_t major_path_len = major_.path_len;
        major_.was_discarded = false;
        for (std::size_t i = 0; i < n && !error_; ++i) {
            const range_cursor minor_pos = minor_.pos;
            const bool minor_was_discarded = minor_.was_discarded;
            const bool minor_was_replaced = minor_.was_replaced;
            const std::size_t minor_path_len = minor_.path_len;
            // The prepended instruction meets what follows the instruction that prepended it.
            if (!minor_.was_discarded)
                minor_.next_instruction();
            major_.start(major_.pos);
            if (error_)
                return;
            transform_major();
            if (error_)
                return;
            if (!major_.was_discarded)
                major_.next_instruction();
            minor_.pos = minor_pos;
            minor_.was_discarded = minor_was_discarded;
            minor_.was_replaced = minor_was_replaced;
            minor_.path_len = minor_path_len;
            minor_.update_changeset();
        }
        major_.was_discarded = major_was_discarded;
        major_.path_len = major_path_len;
    }

    void transform_major()
    {
        minor_.skip_tombstones();
        while (!error_ && minor_.pos != minor_end_) {
            minor_.start(minor_.pos);
            if (error_)
                return;
            merge_pair();
            if (error_ || major_.was_discarded)
                break;
            if (!minor_.was_discarded)
                minor_.next_instruction();
            minor_.skip_tombstones();
        }
    }

    void merge_pair()
    {
        if (++pairs > limits_.max_pairs) {
            error_.set(merge_error::work_limit_exceeded, "too many instruction pairs");
            return;
        }
        const changeset::instruction major_before = major_.get();
        const changeset::instruction minor_before = minor_.get();

        // The instruction higher up in the tree may change or remove the deeper one.
        if (minor_.path_len < major_.path_len) {
            nested(minor_, major_);
            if (error_ || major_.was_discarded)
                return;
        }
        else if (minor_.path_len > major_.path_len) {
            nested(major_, minor_);
            if (error_ || minor_.was_discarded)
                return;
        }
        // Nested or not, the pair rule still runs: link payloads carry objects from higher levels.
        if (!major_.was_discarded && !minor_.was_discarded) {
            std::visit(
                [&](auto& a, auto& b) {
                    using A = std::decay_t<decltype(a)>;
                    using B = std::decay_t<decltype(b)>;
                    if constexpr (kind_of<A>() >= kind_of<B>())
                        pair_rules{major_, minor_}(a, b);
                    else
                        pair_rules{minor_, major_}(b, a);
                },
                major_.get(), minor_.get());
            if (error_)
                return;
        }
        if (!major_.was_discarded && !major_.was_replaced && !(major_.get() == major_before))
            major_.changeset->dirty = true;
        if (!minor_.was_discarded && !minor_.was_replaced && !(minor_.get() == minor_before))
            minor_.changeset->dirty = true;
    }

    static void nested(side& outer, side& inner)
    {
        std::visit([&](auto& o, auto& i) { nested_rules{outer, inner}(o, i); }, outer.get(), inner.get());
    }
};

inline void major_side::discard()
{
    engine_.discard_major();
}
inline void major_side::prepend(const changeset::instruction* b, const changeset::instruction* e)
{
    engine_.prepend_major(b, e);
}
inline void minor_side::discard()
{
    engine_.discard_minor();
}
inline void minor_side::prepend(const changeset::instruction* b, const changeset::instruction* e)
{
    engine_.prepend_minor(b, e);
}

} // namespace detail

namespace detail {

/// realm's merge_changesets; a failure is left in `f` (the changesets are then partly merged). Returns
/// the number of instruction pairs examined.
inline std::size_t merge_changesets(std::vector<working_changeset>& theirs, const std::vector<working_changeset*>& ours,
                                    const limits& lim, failure& f)
{
    conflict_index index;
    for (auto& c : theirs)
        index.scan(c);
    for (auto* c : ours)
        index.scan(*c);
    for (std::size_t i = 0; i < theirs.size(); ++i)
        index.add(i, theirs[i]);
    engine eng(lim, f);
    for (auto* c : ours) {
        if (!check_strings(*c, f))
            break;
        eng.transform(*c, index);
        if (f)
            break;
    }
    return eng.pairs;
}

} // namespace detail

/// realm's merge_changesets: transforms `ours` (history side, reciprocal forms) and `theirs` (incoming)
/// against each other in place; every changeset carries its origin for the conflict order. Returns the
/// number of instruction pairs examined. On error the changesets are left partly merged: merge copies.
inline std::size_t merge_changesets(std::vector<working_changeset>& theirs, const std::vector<working_changeset*>& ours,
                                    const limits& lim, std::error_code& ec)
{
    ec.clear();
    detail::failure f;
    for (auto& c : theirs) {
        if (!detail::check_strings(c, f)) {
            ec = f.code();
            return 0;
        }
    }
    const std::size_t pairs = detail::merge_changesets(theirs, ours, lim, f);
    if (f) {
        ec = f.code();
        return 0;
    }
    return pairs;
}

/// Transforms incoming changesets against a history. Holds nothing between calls but its limits.
class transformer {
public:
    explicit transformer(limits lim = {}) : limits_(lim) {}

    const limits& get_limits() const noexcept { return limits_; }
    /// Instruction pairs the last call examined.
    std::size_t last_pairs() const noexcept { return pairs_; }

    /// Transforms `incoming` (in order) in place against the history and returns how many were
    /// transformed. `apply` is called for each transformed changeset in order (realm's applier); when it
    /// returns false and no history entry was changed by the merge, the rest is left as it is (realm's
    /// early stop for a client). On error nothing is changed: neither `incoming` nor the history.
    template <class History, class Applier>
    std::size_t transform_remote_changesets(History& history, std::uint64_t local_file_ident,
                                            std::uint64_t current_local_version,
                                            std::vector<versioned_changeset>& incoming, Applier&& apply,
                                            std::error_code& ec)
    {
        static_assert(is_transform_history_v<History>,
                      "History needs find_history_entry(begin, end, history_entry_view&) -> version, "
                      "get_reciprocal_transform(version) -> std::string and "
                      "set_reciprocal_transform(version, std::string)");
        ec.clear();
        pairs_ = 0;
        detail::failure f;
        const std::size_t done = run(history, local_file_ident, current_local_version, incoming, apply, f);
        if (f) {
            ec = f.code();
            last_error_ = f.what();
            return 0;
        }
        return done;
    }

    template <class History>
    std::size_t transform_remote_changesets(History& history, std::uint64_t local_file_ident,
                                            std::uint64_t current_local_version,
                                            std::vector<versioned_changeset>& incoming, std::error_code& ec)
    {
        return transform_remote_changesets(history, local_file_ident, current_local_version, incoming,
                                           [](const versioned_changeset&) { return true; }, ec);
    }

    /// Throwing form.
    template <class History>
    std::size_t transform_remote_changesets(History& history, std::uint64_t local_file_ident,
                                            std::uint64_t current_local_version,
                                            std::vector<versioned_changeset>& incoming)
    {
        std::error_code ec;
        std::size_t n = transform_remote_changesets(history, local_file_ident, current_local_version, incoming, ec);
        if (ec)
            throw_error(ec, "merge transform"); // with REALMWIRE_NO_EXCEPTIONS: the user's hook
        return n;
    }

    /// What the last error was about (never contains tokens: only names from the changesets).
    const std::string& last_error() const noexcept { return last_error_; }

private:
    limits limits_;
    std::size_t pairs_ = 0;
    std::string last_error_;

    template <class History, class Applier>
    std::size_t run(History& history, std::uint64_t local_file_ident, std::uint64_t current_local_version,
                    std::vector<versioned_changeset>& incoming, Applier& apply, detail::failure& f)
    {
        if (local_file_ident == 0) {
            f.set(merge_error::invalid_argument, "local file ident 0");
            return 0;
        }
        std::size_t incoming_instructions = 0;
        for (const auto& c : incoming)
            incoming_instructions += c.cs.instructions.size();
        if (incoming_instructions > limits_.max_incoming_instructions) {
            f.set(merge_error::window_too_large, "too many incoming instructions");
            return 0;
        }

        std::map<std::uint64_t, working_changeset> cache; // reciprocal forms, by version
        std::vector<versioned_changeset> result = incoming;
        std::size_t window_instructions = 0;
        std::size_t done = 0;
        std::size_t p = 0;
        bool stopped = false;
        while (p < incoming.size() && !stopped) {
            std::size_t group_end = p + 1;
            while (group_end < incoming.size() &&
                   incoming[group_end].last_integrated_remote_version == incoming[p].last_integrated_remote_version)
                ++group_end;

            std::vector<working_changeset*> ours;
            std::uint64_t begin = incoming[p].last_integrated_remote_version;
            const std::uint64_t end = current_local_version;
            for (;;) {
                history_entry_view entry;
                std::uint64_t version = history.find_history_entry(begin, end, entry);
                if (version == 0)
                    break;
                if (version <= begin || version > end) {
                    f.set(merge_error::invalid_argument, "history entry outside the window");
                    return 0;
                }
                working_changeset* w =
                    reciprocal(history, cache, local_file_ident, version, entry, window_instructions, f);
                if (!w)
                    return 0;
                ours.push_back(w);
                begin = version;
            }

            bool must_apply_all = false;
            std::vector<working_changeset> theirs;
            if (!ours.empty()) {
                theirs.reserve(group_end - p);
                for (std::size_t i = p; i < group_end; ++i) {
                    working_changeset w(incoming[i].cs);
                    w.version = incoming[i].version;
                    w.last_integrated_remote_version = incoming[i].last_integrated_remote_version;
                    w.origin_timestamp = incoming[i].origin_timestamp;
                    w.origin_file_ident = incoming[i].origin_file_ident;
                    if (!detail::check_strings(w, f))
                        return 0;
                    theirs.push_back(std::move(w));
                }
                pairs_ += detail::merge_changesets(theirs, ours, remaining_limits(), f);
                if (f)
                    return 0;
                must_apply_all = std::any_of(ours.begin(), ours.end(), [](auto* c) { return c->dirty; });
                for (std::size_t i = p; i < group_end; ++i) {
                    result[i].cs = theirs[i - p].to_changeset();
                }
            }
            for (; p < group_end; ++p) {
                ++done;
                if (!(apply(static_cast<const versioned_changeset&>(result[p])) || must_apply_all)) {
                    ++p;
                    stopped = true;
                    break;
                }
            }
        }

        // Flush: every reciprocal form the merge changed, in version order.
        std::vector<std::pair<std::uint64_t, std::string>> flushed;
        for (const auto& [version, w] : cache) {
            if (w.dirty) {
                std::error_code ec;
                std::string bytes = changeset::encode(w.to_changeset(), changeset::layout::strings_first, ec);
                if (ec) {
                    f.set(merge_error::invalid_instruction, "reciprocal transform does not encode");
                    return 0;
                }
                flushed.emplace_back(version, std::move(bytes));
            }
        }
        for (auto& [version, bytes] : flushed)
            history.set_reciprocal_transform(version, std::move(bytes));
        for (std::size_t i = 0; i < done; ++i)
            incoming[i].cs = std::move(result[i].cs);
        return done;
    }

    limits remaining_limits() const
    {
        limits l = limits_;
        l.max_pairs = limits_.max_pairs > pairs_ ? limits_.max_pairs - pairs_ : 0;
        return l;
    }

    /// The reciprocal form of entry `version`, decoded once per call; nullptr after a failure (in `f`).
    template <class History>
    working_changeset* reciprocal(History& history, std::map<std::uint64_t, working_changeset>& cache,
                                  std::uint64_t local_file_ident, std::uint64_t version,
                                  const history_entry_view& entry, std::size_t& window_instructions,
                                  detail::failure& f)
    {
        auto [it, inserted] = cache.try_emplace(version);
        working_changeset& w = it->second;
        if (inserted) {
            const std::string bytes = history.get_reciprocal_transform(version);
            std::error_code ec;
            changeset::changeset cs = changeset::decode_changeset(bytes, ec);
            if (ec) {
                cache.erase(it);
                f.set(merge_error::bad_changeset,
                      "history changeset " + std::to_string(version) + " does not decode: " + ec.message());
                return nullptr;
            }
            w.assign(cs);
            w.version = version;
            w.last_integrated_remote_version = entry.remote_version;
            w.origin_timestamp = entry.origin_timestamp;
            w.origin_file_ident = entry.origin_file_ident == 0 ? local_file_ident : entry.origin_file_ident;
            window_instructions += cs.instructions.size();
            if (window_instructions > limits_.max_window_instructions) {
                f.set(merge_error::window_too_large, "too many instructions in the merge window");
                return nullptr;
            }
            if (!detail::check_strings(w, f))
                return nullptr;
        }
        return &w;
    }
};

/// The type-erased form as a regular overload set.
inline std::size_t transform_remote_changesets(transformer& t, transform_history& h, std::uint64_t local_file_ident,
                                               std::uint64_t current_local_version,
                                               std::vector<versioned_changeset>& incoming, std::error_code& ec)
{
    return t.transform_remote_changesets(h, local_file_ident, current_local_version, incoming, ec);
}

} // namespace realmwire::merge

#endif
