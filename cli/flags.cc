#include "cli/flags.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace ksim::cli {
namespace {

using base::BadRequest;
using base::Status;

template <typename T>
Status ParseNumber(const std::string& value, const std::string& shown_name,
                   T* out) {
  T parsed{};
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  std::string why;
  if (value.empty() || ec == std::errc::invalid_argument || ptr != end) {
    why = "not an integer";
  } else if (ec == std::errc::result_out_of_range) {
    why = "value out of range";
  }
  if (!why.empty()) {
    return BadRequest("invalid argument \"" + value + "\" for \"" + shown_name +
                      "\" flag: " + why);
  }
  *out = parsed;
  return Status::Ok();
}

// The spellings Go's strconv.ParseBool accepts, which pflag uses.
bool ParseBool(const std::string& value, bool* out) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (value == t) {
      *out = true;
      return true;
    }
  }
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (value == f) {
      *out = false;
      return true;
    }
  }
  return false;
}

}  // namespace

FlagSet::FlagSet(std::string usage_line) : usage_line_(std::move(usage_line)) {}

void FlagSet::Add(std::string name, Type type, void* target, std::string help,
                  std::string default_text) {
  flags_.push_back(Flag{std::move(name), type, target, std::move(help),
                        std::move(default_text)});
}

void FlagSet::AddString(std::string name, std::string* target,
                        std::string help) {
  std::string shown = target->empty() ? "" : "\"" + *target + "\"";
  Add(std::move(name), Type::kString, target, std::move(help), shown);
}

void FlagSet::AddInt(std::string name, int* target, std::string help) {
  Add(std::move(name), Type::kInt, target, std::move(help),
      std::to_string(*target));
}

void FlagSet::AddUint64(std::string name, uint64_t* target, std::string help) {
  Add(std::move(name), Type::kUint64, target, std::move(help),
      std::to_string(*target));
}

void FlagSet::AddBool(std::string name, bool* target, std::string help) {
  Add(std::move(name), Type::kBool, target, std::move(help),
      *target ? "true" : "");
}

const FlagSet::Flag* FlagSet::Lookup(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Set(const Flag& flag, const std::string& shown_name,
                    const std::string& value) {
  switch (flag.type) {
    case Type::kString:
      *static_cast<std::string*>(flag.target) = value;
      return Status::Ok();
    case Type::kInt:
      return ParseNumber(value, shown_name, static_cast<int*>(flag.target));
    case Type::kUint64:
      // from_chars on an unsigned type rejects a leading '-', as Go does.
      return ParseNumber(value, shown_name,
                         static_cast<uint64_t*>(flag.target));
    case Type::kBool:
      if (!ParseBool(value, static_cast<bool*>(flag.target))) {
        return BadRequest("invalid argument \"" + value + "\" for \"" +
                          shown_name + "\" flag: not a boolean");
      }
      return Status::Ok();
  }
  return base::Internal("unknown flag type");
}

Status FlagSet::Parse(const std::vector<std::string>& args) {
  positional_.clear();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    size_t dashes = arg[1] == '-' ? 2 : 1;
    std::string body = arg.substr(dashes);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    std::string shown_name = arg.substr(0, dashes) + name;
    const Flag* flag = name.empty() ? nullptr : Lookup(name);
    if (flag == nullptr) return BadRequest("unknown flag: " + shown_name);
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (flag->type == Type::kBool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return BadRequest("flag needs an argument: " + shown_name);
    }
    KSIM_RETURN_IF_ERROR(Set(*flag, shown_name, value));
  }
  return Status::Ok();
}

std::string FlagSet::Usage() const {
  std::string out = "Usage: " + usage_line_ + "\n\nFlags:\n";
  for (const Flag& f : flags_) {
    std::string left = "  --" + f.name;
    if (f.name.size() == 1) left = "  -" + f.name + ", --" + f.name;
    switch (f.type) {
      case Type::kString:
        left += " string";
        break;
      case Type::kInt:
        left += " int";
        break;
      case Type::kUint64:
        left += " uint";
        break;
      case Type::kBool:
        break;
    }
    left.resize(std::max<size_t>(left.size() + 2, 26), ' ');
    out += left + f.help;
    if (!f.default_text.empty()) out += " (default " + f.default_text + ")";
    out += "\n";
  }
  return out;
}

}  // namespace ksim::cli
