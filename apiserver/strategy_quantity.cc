// resource.Quantity parsing and canonical printing
// (k8s.io/apimachinery/pkg/api/resource, quantity.go and amount.go).
#include <cctype>
#include <cmath>

#include "apiserver/strategy_internal.h"

namespace ksim::apiserver {
namespace {

using i128 = __int128;

constexpr i128 kLimit = static_cast<i128>(1) << 120;

std::string ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

// Multiplies by 10^n; false on overflow.
bool Scale10(i128& v, int n) {
  for (int i = 0; i < n; ++i) {
    if (v > kLimit / 10 || v < -kLimit / 10) return false;
    v *= 10;
  }
  return true;
}

// The decimal SI suffix of a power-of-ten exponent, if it has one.
const char* DecimalSuffix(int32_t exp) {
  switch (exp) {
    case -9:
      return "n";
    case -6:
      return "u";
    case -3:
      return "m";
    case 0:
      return "";
    case 3:
      return "k";
    case 6:
      return "M";
    case 9:
      return "G";
    case 12:
      return "T";
    case 15:
      return "P";
    case 18:
      return "E";
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<Quantity> Quantity::Parse(std::string_view s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  i128 mantissa = 0;
  int32_t scale = 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    digits = true;
    if (!Scale10(mantissa, 1)) return std::nullopt;
    mantissa += c - '0';
    if (dot) --scale;
  }
  if (!digits) return std::nullopt;
  std::string_view suffix = s.substr(i);
  Quantity q;
  q.format_ = Format::kDecimalSI;
  static constexpr const char* kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  bool known = false;
  for (int exp = -9; exp <= 18 && !known; exp += 3) {
    if (suffix == DecimalSuffix(exp)) {
      scale += exp;
      known = true;
    }
  }
  for (int k = 0; k < 6 && !known; ++k) {
    if (suffix == kBinary[k]) {
      for (int n = 0; n < (k + 1) * 10; ++n) {
        if (mantissa > kLimit / 2) return std::nullopt;
        mantissa *= 2;
      }
      q.format_ = Format::kBinarySI;
      known = true;
    }
  }
  if (!known) {
    if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) {
      return std::nullopt;
    }
    std::string_view e = suffix.substr(1);
    bool eneg = false;
    if (e[0] == '+' || e[0] == '-') {
      eneg = e[0] == '-';
      e = e.substr(1);
    }
    if (e.empty() || e.size() > 4) return std::nullopt;
    int32_t exp = 0;
    for (char c : e) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      exp = exp * 10 + (c - '0');
    }
    scale += eneg ? -exp : exp;
    q.format_ = Format::kDecimalExponent;
  }
  q.mantissa_ = neg ? -mantissa : mantissa;
  q.scale_ = scale;
  // ParseQuantity keeps at most nano precision, rounding up.
  if (q.scale_ < -9) q.RoundUp(-9);
  return q;
}

std::optional<Quantity> Quantity::FromJson(const Json& v) {
  if (v.is_string()) return Parse(v.get_ref<const std::string&>());
  if (v.is_number_integer()) return Parse(v.dump());
  if (v.is_number_float()) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.9f", v.get<double>());
    return Parse(buf);
  }
  return std::nullopt;
}

void Quantity::RoundUp(int32_t scale) {
  if (scale_ >= scale) return;
  i128 div = 1;
  for (int32_t s = scale_; s < scale; ++s) {
    if (div > kLimit / 10) {  // the value is far below the new precision
      mantissa_ = mantissa_ > 0 ? 1 : mantissa_ < 0 ? -1 : 0;
      scale_ = scale;
      return;
    }
    div *= 10;
  }
  i128 q = mantissa_ / div;
  if (mantissa_ % div != 0) q += mantissa_ > 0 ? 1 : -1;
  mantissa_ = q;
  scale_ = scale;
}

bool Quantity::IsInteger() const {
  if (scale_ >= 0) return true;
  i128 m = mantissa_;
  for (int32_t s = scale_; s < 0; ++s) {
    if (m % 10 != 0) return false;
    m /= 10;
  }
  return true;
}

int Quantity::Compare(const Quantity& other) const {
  i128 a = mantissa_, b = other.mantissa_;
  int32_t common = std::min(scale_, other.scale_);
  bool ok = Scale10(a, scale_ - common) && Scale10(b, other.scale_ - common);
  if (!ok) {  // magnitudes too far apart for exact arithmetic
    long double x = static_cast<long double>(mantissa_) *
                    std::pow(10.0L, static_cast<long double>(scale_));
    long double y = static_cast<long double>(other.mantissa_) *
                    std::pow(10.0L, static_cast<long double>(other.scale_));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

Quantity Quantity::Plus(const Quantity& other) const {
  Quantity r = *this;
  i128 a = mantissa_, b = other.mantissa_;
  int32_t common = std::min(scale_, other.scale_);
  if (Scale10(a, scale_ - common) && Scale10(b, other.scale_ - common)) {
    r.mantissa_ = a + b;
    r.scale_ = common;
  }
  return r;
}

std::string Quantity::String() const {
  if (mantissa_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    Quantity lo = *this;
    // Small or fractional binary values print in decimal, as kube does.
    if (Compare(*Parse("1024")) < 0 && Compare(*Parse("-1024")) > 0) {
      format = Format::kDecimalSI;
    } else if (!lo.IsInteger()) {
      format = Format::kDecimalSI;
    }
  }
  if (format == Format::kBinarySI) {
    i128 v = mantissa_;
    Scale10(v, scale_ > 0 ? scale_ : 0);
    for (int32_t s = scale_; s < 0; ++s) v /= 10;
    int exp = 0;
    while (exp < 6 && v % 1024 == 0) {
      v /= 1024;
      ++exp;
    }
    static constexpr const char* kBinary[] = {"",   "Ki", "Mi", "Gi",
                                              "Ti", "Pi", "Ei"};
    return ToString(v) + kBinary[exp];
  }
  // AsCanonicalBytes: drop factors of ten, then an exponent multiple of 3.
  i128 amount = mantissa_;
  int32_t exp = scale_;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exp;
  }
  int32_t rem = ((exp % 3) + 3) % 3;
  if (rem != 0) {
    Scale10(amount, rem);
    exp -= rem;
  }
  if (format == Format::kDecimalExponent) {
    return ToString(amount) + (exp == 0 ? "" : "e" + std::to_string(exp));
  }
  const char* suffix = DecimalSuffix(exp);
  if (suffix == nullptr) return ToString(amount) + "e" + std::to_string(exp);
  return ToString(amount) + suffix;
}

}  // namespace ksim::apiserver
