// What oci2cw is doing, for people and for scripts. On a terminal (stderr is a tty) one line
// rewritten in place: stage, layer i/n, bytes done / total, rate, ETA; nothing otherwise, so
// logs and pipes see only errors. Every stage's duration is kept for --json's "timings".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cw::oci {

class Progress {
public:
    // `terminal`: draw the line (main passes isatty(STDERR_FILENO)).
    explicit Progress(bool terminal);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Ends the current stage (recording its time) and starts `name`; total 0: no byte count.
    void stage(const std::string& name, uint64_t total_bytes = 0, uint32_t layers = 0);
    void layer(uint32_t index);  // 0-based; shown as index+1 of layers
    void advance(uint64_t bytes);
    void set_done(uint64_t done);
    void set_total(uint64_t total) { m_total = total; }
    [[nodiscard]] uint64_t total() const { return m_total; }
    // Ends the last stage and clears the line (before anything else is printed on stderr).
    void finish();

    // (stage, seconds), in order; "total" last once finished.
    [[nodiscard]] const std::vector<std::pair<std::string, double>>& timings() const { return m_timings; }

private:
    using Clock = std::chrono::steady_clock;
    void end_stage();
    void draw(bool force);
    void clear();

    bool m_terminal;
    bool m_drawn = false;
    bool m_finished = false;
    Clock::time_point m_start;
    Clock::time_point m_stage_start;
    Clock::time_point m_last_draw;
    std::string m_stage;
    uint64_t m_total = 0;
    uint64_t m_done = 0;
    uint32_t m_layers = 0;
    uint32_t m_layer = 0;
    std::vector<std::pair<std::string, double>> m_timings;
};

}  // namespace cw::oci
