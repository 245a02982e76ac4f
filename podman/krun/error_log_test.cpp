#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "error_log.h"

TEST_CASE("error log: one JSON object in crun's shape, valid even for hostile bytes") {
    auto text = cw::krun::json_log_entry("bad \"thing\"\n\xff", "2026-11-24T10:00:00.000000000Z");
    auto doc = nlohmann::json::parse(text);
    CHECK(doc.at("level") == "error");
    CHECK(doc.at("time") == "2026-11-24T10:00:00.000000000Z");
    CHECK(doc.at("msg").get<std::string>().find("bad \"thing\"") == 0);
    CHECK(cw::krun::rfc3339_now().size() == 30);
}
