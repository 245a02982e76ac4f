#include "evidence/tdx/json_fields.h"

namespace cw::attest::tdx {

namespace {

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Result<Json> parse_json(std::string_view text, std::string_view what) {
    Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        return Error::msg(std::string(what) + " is not valid JSON");
    return json;
}

Result<const Json*> member(const Json& object, std::string_view key) {
    if (!object.is_object())
        return Error::msg("expected an object holding " + quoted(key));
    auto it = object.find(key);
    if (it == object.end())
        return Error::msg(quoted(key) + " is missing");
    return &*it;
}

Result<const Json*> array_member(const Json& object, std::string_view key) {
    const Json* value = CW_TRY(member(object, key));
    if (!value->is_array())
        return Error::msg(quoted(key) + " is not an array");
    return value;
}

Result<std::string> string_member(const Json& object, std::string_view key) {
    const Json* value = CW_TRY(member(object, key));
    if (!value->is_string())
        return Error::msg(quoted(key) + " is not a string");
    return value->get_ref<const std::string&>();
}

Result<uint64_t> uint_member(const Json& object, std::string_view key, uint64_t max) {
    const Json* value = CW_TRY(member(object, key));
    if (!value->is_number_unsigned())
        return Error::msg(quoted(key) + " is not a non-negative integer");
    const auto number = value->get<uint64_t>();
    if (number > max)
        return Error::msg(quoted(key) + " = " + std::to_string(number) + " exceeds " + std::to_string(max));
    return number;
}

Result<int64_t> parse_utc_date(std::string_view s) {
    // Exactly "YYYY-MM-DDThh:mm:ssZ": the only form PCS emits.
    constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
    bool shaped = s.size() == kShape.size();
    for (size_t i = 0; shaped && i < s.size(); ++i)
        shaped = kShape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == kShape[i];
    if (!shaped)
        return Error::msg("\"" + std::string(s.substr(0, 32)) + "\" is not a YYYY-MM-DDThh:mm:ssZ date");
    auto num = [&](size_t at, size_t len) {
        int64_t v = 0;
        for (size_t i = at; i < at + len; ++i)
            v = v * 10 + (s[i] - '0');
        return v;
    };
    const int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), sec = num(17, 2);
    constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool day_ok = mo >= 1 && mo <= 12 && d >= 1 &&
                        d <= kDays[mo - 1] + (mo == 2 && is_leap(y) ? 1 : 0);
    if (!day_ok || h > 23 || mi > 59 || sec > 60)
        return Error::msg("\"" + std::string(s) + "\" is not a valid date");
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

Result<int64_t> date_member(const Json& object, std::string_view key) {
    auto text = CW_TRY(string_member(object, key));
    return parse_utc_date(text).context(quoted(key));
}

Result<TcbStatus> tcb_status_member(const Json& level) {
    auto name = CW_TRY(string_member(level, "tcbStatus"));
    auto status = parse_tcb_status(name);
    if (!status)
        return Error::msg("unknown tcbStatus \"" + name.substr(0, 64) + "\"");
    return *status;
}

}  // namespace cw::attest::tdx
