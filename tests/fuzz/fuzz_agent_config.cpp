// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: the agent's configuration parser
// (user/tsmctl/agent_config.cpp, /etc/spdm-tsm/agent.conf).  It must throw
// ConfigError for what it rejects, never exit or crash, and what it accepts
// must keep its own invariants.
#include <cstdlib>
#include <string_view>

#include "agent_config.hpp"

using namespace tsmctl::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    try {
        Config c = parse_config(text, "fuzz.conf");
        for (const auto &d : c.devices) {
            if (d.cas.empty() || d.slot > 7 || d.name().empty())
                abort();
            for (size_t i = 1; i < d.meas.size(); i++)
                if (d.meas[i - 1].index >= d.meas[i].index)
                    abort();  // sorted by index, no duplicates
            (void)c.find("0000:01:00.0", d.serial);
        }
    } catch (const ConfigError &) {
    }
    return 0;
}
