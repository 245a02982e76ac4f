#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace cw::oci {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < std::size(units)) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

std::string human_seconds(double s) {
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%.0fs", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    else
        std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
    return buf;
}

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

Progress::Progress(bool terminal) : m_terminal(terminal), m_start(Clock::now()), m_stage_start(m_start) {}

Progress::~Progress() { finish(); }

void Progress::end_stage() {
    if (!m_stage.empty())
        m_timings.emplace_back(m_stage, seconds(Clock::now() - m_stage_start));
    m_stage.clear();
}

void Progress::stage(const std::string& name, uint64_t total_bytes, uint32_t layers) {
    end_stage();
    m_stage = name;
    m_stage_start = Clock::now();
    m_total = total_bytes;
    m_done = 0;
    m_layers = layers;
    m_layer = 0;
    draw(true);
}

void Progress::layer(uint32_t index) {
    m_layer = index;
    draw(false);
}

void Progress::advance(uint64_t bytes) {
    m_done += bytes;
    draw(false);
}

void Progress::set_done(uint64_t done) {
    m_done = done;
    draw(false);
}

void Progress::finish() {
    if (m_finished)
        return;
    m_finished = true;
    end_stage();
    m_timings.emplace_back("total", seconds(Clock::now() - m_start));
    clear();
}

void Progress::clear() {
    if (m_drawn)
        std::fputs("\r\x1b[K", stderr);
    m_drawn = false;
}

void Progress::draw(bool force) {
    if (!m_terminal || m_finished)
        return;
    auto now = Clock::now();
    if (!force && now - m_last_draw < kRedrawInterval)
        return;
    m_last_draw = now;
    std::string line = "oci2cw: " + m_stage;
    if (m_layers > 0)
        line += "  layer " + std::to_string(m_layer + 1) + "/" + std::to_string(m_layers);
    double elapsed = seconds(now - m_stage_start);
    if (m_total > 0) {
        line += "  " + human_bytes(static_cast<double>(m_done)) + " / " + human_bytes(static_cast<double>(m_total));
        if (elapsed > 0.2 && m_done > 0) {
            double rate = static_cast<double>(m_done) / elapsed;
            line += "  " + human_bytes(rate) + "/s";
            if (m_done < m_total)
                line += "  ETA " + human_seconds(static_cast<double>(m_total - m_done) / rate);
        }
    } else {
        line += "  " + human_seconds(elapsed);
    }
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    m_drawn = true;
}

}  // namespace cw::oci
