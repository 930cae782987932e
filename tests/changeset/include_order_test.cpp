// The value model declared before the visitor decoder: struct changeset::changeset must not hide the
// namespace's names (uuid, limits) in decoder.hpp. (Each header alone is compiled by the header check.)
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/model_decoder.hpp"

#include <catch2/catch.hpp>

TEST_CASE("changeset headers compile in any order: model before decoder")
{
    realmwire::changeset::decoder d;
    CHECK(d.limits().max_changeset_size == realmwire::changeset::limits{}.max_changeset_size);
}
