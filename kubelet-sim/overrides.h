// Per-pod overrides of the image table, read from pod annotations (see
// README.md for the list), so a scenario can make one pod slow, crashing,
// flapping or deaf to SIGTERM without a special image.
//
// Thread-safety: plain data and pure functions.
#ifndef KSIM_KUBELET_SIM_OVERRIDES_H_
#define KSIM_KUBELET_SIM_OVERRIDES_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"

namespace ksim::kubelet {

inline constexpr char kAnnotationStartDelay[] = "ksim.io/start-delay";
inline constexpr char kAnnotationPullDelay[] = "ksim.io/pull-delay";
inline constexpr char kAnnotationCrashAfter[] = "ksim.io/crash-after";
inline constexpr char kAnnotationExitCode[] = "ksim.io/exit-code";
inline constexpr char kAnnotationReadyFlap[] = "ksim.io/ready-flap";
inline constexpr char kAnnotationSigterm[] = "ksim.io/sigterm";
inline constexpr char kAnnotationHttpStatus[] = "ksim.io/http-status";

struct PodOverrides {
  std::optional<base::Duration> start_delay;  // added to each start
  std::optional<base::Duration> pull_delay;   // replaces pull times
  std::optional<base::Duration> crash_after;  // main process exits then
  std::optional<int> exit_code;               // of that exit (default 1)
  std::optional<base::Duration> ready_flap;   // readiness toggles each period
  // "ignore": SIGTERM is ignored (SIGKILL at the end of the grace period);
  // "exit": exit at once; a duration: drain that long, then exit.
  std::optional<std::string> sigterm;
  std::optional<int> http_status;  // every HTTP request answers this
};

// Reads the annotations of `pod`; malformed values are ignored.
PodOverrides ParseOverrides(const base::Json& pod);

// Go's time.ParseDuration ("1m30s", "500ms", "2h"); a bare number means
// seconds. nullopt when malformed or negative.
std::optional<base::Duration> ParseGoDuration(std::string_view s);

// Go's Duration.String: "10s", "1m30s", "1.5s", "500ms", "5m0s".
std::string FormatGoDuration(base::Duration d);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_OVERRIDES_H_
