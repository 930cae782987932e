#include "realmwire/changeset.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>

// The examples of docs/changesets.md, compiled and checked.

namespace rc = realmwire::changeset;

namespace {

struct counter {
    std::size_t updates = 0;
    std::size_t path_elements = 0;
    void intern_string(std::uint32_t, std::string_view) {}
    void instruction(const rc::instruction_view& in)
    {
        if (in.type == rc::instruction_type::update && in.value.type == rc::payload_type::string)
            updates += in.value.data.size(); // a view into the input
        for (const rc::path_element_view& e : in.path)
            path_elements += e.is_index ? 1 : e.key.str.size();
    }
};

} // namespace

TEST_CASE("docs/changesets.md examples")
{
    rc::changeset cs;
    rc::string_id person = cs.intern("Person"), name = cs.intern("name");
    cs.instructions.push_back(rc::create_object{person, std::int64_t{64}});
    rc::update u;
    u.table = person;
    u.object = std::int64_t{64};
    u.field = name;
    u.value = rc::payload::make_string("Bob");
    cs.instructions.push_back(u);
    std::string server_bytes = rc::encode(cs);
    std::string client_bytes = rc::encode(cs, rc::layout::client);
    CHECK(server_bytes.size() == 34);
    CHECK(client_bytes.size() == 34);
    CHECK(server_bytes != client_bytes);

    rc::decoder dec;
    counter c;
    std::error_code ec;
    realmwire::error_info where;
    REQUIRE(dec.decode(client_bytes, c, ec, where));
    CHECK(c.updates == 3);
    CHECK(rc::decode_changeset(server_bytes) == cs);

    // Holding many changesets: packed_changeset
    rc::packed_changeset pc;
    {
        std::string bytes = client_bytes; // the input may go: pc keeps its own copy
        REQUIRE(rc::decode_changeset(bytes, pc, ec, where));
    }
    std::string seen;
    for (std::size_t i = 0; i < pc.size(); ++i) {
        rc::instruction_view in = pc[i];
        if (in.type == rc::instruction_type::update && in.value.type == rc::payload_type::string)
            seen += std::string(pc.str(in.table.index)) + ": " + std::string(in.value.data);
    }
    CHECK(seen == "Person: Bob");
    CHECK(pc.bytes() == client_bytes);
    CHECK(rc::to_model(pc) == cs);
    CHECK(rc::to_model(pc).placement == rc::decode_changeset(client_bytes).placement);

    REQUIRE_FALSE(dec.decode(client_bytes + "\x3E", c, ec, where));
    CHECK(realmwire::describe_error("changeset", ec, where) ==
          "changeset: unknown instruction type (field tag, at byte 34)");
    CHECK(rc::to_string(cs) == "InternStrings  0=\"Person\", 1=\"name\"\n"
                               "CreateObject  path=Person[Int(64)]\n"
                               "Update        path=Person[Int(64)].name, value=String(\"Bob\"), default=0\n");
}
