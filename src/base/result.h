// The project's one error model: functions that can fail return Result<T>, whose Error
// names the step that failed ("KVM_CREATE_VM", "kernel: ELF segment 2 overlaps segment 1")
// and, for system calls, the errno. No exceptions cross module boundaries on VMM paths.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cw {

class Error {
public:
    // A failure described by a message alone.
    static Error msg(std::string message) { return Error(std::move(message), 0); }
    // A failed system call: captures errno at the call site.
    static Error sys(std::string step) { return Error(std::move(step), errno); }
    static Error sys(std::string step, int err) { return Error(std::move(step), err); }

    // Prefixes the step with what the caller was doing: "loading kernel: ...".
    [[nodiscard]] Error context(std::string_view outer) && {
        m_message = std::string(outer) + ": " + m_message;
        return std::move(*this);
    }

    [[nodiscard]] const std::string& message() const { return m_message; }
    [[nodiscard]] int sys_errno() const { return m_errno; }
    // "step: message" plus ": strerror" for system errors; one line, for the user.
    [[nodiscard]] std::string to_string() const;

private:
    Error(std::string message, int err) : m_message(std::move(message)), m_errno(err) {}
    std::string m_message;
    int m_errno;
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T& value() & { return std::get<0>(m_state); }
    [[nodiscard]] const T& value() const& { return std::get<0>(m_state); }
    // Not [[nodiscard]]: CW_TRY used as a statement discards the value on purpose.
    T&& value() && { return std::get<0>(std::move(m_state)); }
    [[nodiscard]] const Error& error() const& { return std::get<1>(m_state); }
    [[nodiscard]] Error&& error() && { return std::get<1>(std::move(m_state)); }

    // On error, prefixes the step with what the caller was doing.
    [[nodiscard]] Result context(std::string_view outer) && {
        if (!ok())
            return std::move(*this).error().context(outer);
        return std::move(*this);
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}  // NOLINT

    [[nodiscard]] bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    void value() const {}
    [[nodiscard]] const Error& error() const& { return m_error; }
    [[nodiscard]] Error&& error() && { return std::move(m_error); }
    [[nodiscard]] Result context(std::string_view outer) && {
        if (!ok())
            return std::move(m_error).context(outer);
        return {};
    }

private:
    Error m_error = Error::msg("");
    bool m_failed = false;
};

}  // namespace cw

// Evaluates a Result expression; on error returns it from the enclosing function,
// otherwise yields the value. (A GNU statement expression, as in SerenityOS's TRY.)
#define CW_TRY(expr)                                   \
    __extension__({                                    \
        auto cw_try_result_ = (expr);                  \
        if (!cw_try_result_.ok())                      \
            return std::move(cw_try_result_).error();  \
        std::move(cw_try_result_).value();             \
    })
