#include "apiserver/field_set.h"

#include <algorithm>
#include <cstdlib>

#include "apiserver/go_format.h"

namespace ksim::apiserver {
namespace {

using base::Json;

int Rank(const Json& v) {
  if (v.is_number()) return 0;
  if (v.is_string()) return 1;
  if (v.is_boolean()) return 2;
  if (v.is_array()) return 3;
  if (v.is_object()) return 4;
  return 5;  // null
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// value.ToString, for path strings in messages.
std::string ValueString(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return GoQuote(v.get_ref<const std::string&>());
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ",";
      out += ValueString(v[i]);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [k, child] : v.items())
      out += k + "=" + ValueString(child);
    return out;
  }
  return GoFormat(v);
}

}  // namespace

int CompareValues(const Json& a, const Json& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return Cmp(ra, rb);
  switch (ra) {
    case 0:
      if (a.is_number_float() || b.is_number_float()) {
        return Cmp(a.get<double>(), b.get<double>());
      }
      if (a.is_number_unsigned() && b.is_number_unsigned()) {
        return Cmp(a.get<uint64_t>(), b.get<uint64_t>());
      }
      return Cmp(a.get<int64_t>(), b.get<int64_t>());
    case 1:
      return Cmp(a.get_ref<const std::string&>(),
                 b.get_ref<const std::string&>());
    case 2:
      return Cmp(a.get<bool>(), b.get<bool>());
    case 3:
    case 4: {
      // Lists element by element, maps entry by entry in key order; the
      // shorter one first when one is a prefix of the other.
      auto ai = a.begin(), bi = b.begin();
      for (; ai != a.end() && bi != b.end(); ++ai, ++bi) {
        if (ra == 4) {
          if (int c = Cmp(ai.key(), bi.key()); c != 0) return c;
        }
        if (int c = CompareValues(*ai, *bi); c != 0) return c;
      }
      return Cmp(a.size(), b.size());
    }
    default:
      return 0;
  }
}

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind = Kind::kField;
  pe.field = std::move(name);
  return pe;
}
PathElement PathElement::Key(Json fields) {
  PathElement pe;
  pe.kind = Kind::kKey;
  pe.value = std::move(fields);
  return pe;
}
PathElement PathElement::Value(Json v) {
  PathElement pe;
  pe.kind = Kind::kValue;
  pe.value = std::move(v);
  return pe;
}
PathElement PathElement::Index(int64_t i) {
  PathElement pe;
  pe.kind = Kind::kIndex;
  pe.index = i;
  return pe;
}

std::string PathElement::Serialize() const {
  switch (kind) {
    case Kind::kField:
      return "f:" + field;
    case Kind::kKey:
      return "k:" + GoJsonMarshal(value);
    case Kind::kValue:
      return "v:" + GoJsonMarshal(value);
    case Kind::kIndex:
      return "i:" + std::to_string(index);
  }
  return "";
}

std::optional<PathElement> PathElement::Deserialize(std::string_view s) {
  if (s.size() < 2 || s[1] != ':') return std::nullopt;
  std::string_view rest = s.substr(2);
  switch (s[0]) {
    case 'f':
      return Field(std::string(rest));
    case 'k':
    case 'v': {
      Json v = Json::parse(rest, nullptr, /*allow_exceptions=*/false);
      if (v.is_discarded()) return std::nullopt;
      if (s[0] == 'k') {
        if (!v.is_object()) return std::nullopt;
        return Key(std::move(v));
      }
      return Value(std::move(v));
    }
    case 'i': {
      std::string digits(rest);
      char* end = nullptr;
      long long i = std::strtoll(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0') return std::nullopt;
      return Index(i);
    }
    default:
      return std::nullopt;
  }
}

std::string PathElement::String() const {
  switch (kind) {
    case Kind::kField:
      return "." + field;
    case Kind::kKey: {
      std::string out = "[";
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        if (!first) out += ",";
        first = false;
        out += k + "=" + ValueString(v);
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + ValueString(value) + "]";
    case Kind::kIndex:
      return "[" + std::to_string(index) + "]";
  }
  return "";
}

int Compare(const PathElement& a, const PathElement& b) {
  if (a.kind != b.kind)
    return Cmp(static_cast<int>(a.kind), static_cast<int>(b.kind));
  switch (a.kind) {
    case PathElement::Kind::kField:
      return Cmp(a.field, b.field);
    case PathElement::Kind::kKey:
    case PathElement::Kind::kValue:
      return CompareValues(a.value, b.value);
    case PathElement::Kind::kIndex:
      return Cmp(a.index, b.index);
  }
  return 0;
}

std::string PathString(const FieldPath& path) {
  std::string out;
  for (const PathElement& pe : path) out += pe.String();
  return out;
}

FieldSet& FieldSet::ChildForInsert(const PathElement& pe) {
  if (children_.empty() || children_.back().pe < pe) {
    children_.push_back(Node{pe, FieldSet()});
    return children_.back().set;
  }
  auto it = std::lower_bound(
      children_.begin(), children_.end(), pe,
      [](const Node& n, const PathElement& p) { return n.pe < p; });
  if (it == children_.end() || !(it->pe == pe)) {
    it = children_.insert(it, Node{pe, FieldSet()});
  }
  return it->set;
}

void FieldSet::SetChild(const PathElement& pe, FieldSet set) {
  if (set.Empty()) {
    auto it = std::lower_bound(
        children_.begin(), children_.end(), pe,
        [](const Node& n, const PathElement& p) { return n.pe < p; });
    if (it != children_.end() && it->pe == pe) children_.erase(it);
    return;
  }
  ChildForInsert(pe) = std::move(set);
}

void FieldSet::InsertMemberWithChildren(const PathElement& pe,
                                        FieldSet below) {
  InsertMember(pe);
  if (below.Empty()) return;
  FieldSet& child = ChildForInsert(pe);
  if (child.Empty()) {
    child = std::move(below);
  } else {
    child.UnionWith(below);
  }
}

void FieldSet::InsertWithChildren(const FieldPath& path, FieldSet below) {
  if (path.empty()) return;
  FieldSet* s = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) s = &s->ChildForInsert(path[i]);
  s->InsertMemberWithChildren(path.back(), std::move(below));
}

void FieldSet::InsertMember(const PathElement& pe) {
  // Sets are mostly built in order: appending needs no search.
  if (members_.empty() || members_.back() < pe) {
    members_.push_back(pe);
    return;
  }
  auto it = std::lower_bound(members_.begin(), members_.end(), pe);
  if (it == members_.end() || !(*it == pe)) members_.insert(it, pe);
}

void FieldSet::Insert(const FieldPath& path) {
  if (path.empty()) return;
  FieldSet* s = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) s = &s->ChildForInsert(path[i]);
  s->InsertMember(path.back());
}

bool FieldSet::HasMember(const PathElement& pe) const {
  return std::binary_search(members_.begin(), members_.end(), pe);
}

const FieldSet* FieldSet::Child(const PathElement& pe) const {
  auto it = std::lower_bound(
      children_.begin(), children_.end(), pe,
      [](const Node& n, const PathElement& p) { return n.pe < p; });
  if (it == children_.end() || !(it->pe == pe)) return nullptr;
  return &it->set;
}

bool FieldSet::Has(const FieldPath& path) const {
  if (path.empty()) return false;
  const FieldSet* s = this;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    s = s->Child(path[i]);
    if (s == nullptr) return false;
  }
  return s->HasMember(path.back());
}

FieldSet FieldSet::Union(const FieldSet& o) const {
  FieldSet out;
  std::set_union(members_.begin(), members_.end(), o.members_.begin(),
                 o.members_.end(), std::back_inserter(out.members_));
  size_t i = 0, j = 0;
  while (i < children_.size() || j < o.children_.size()) {
    if (j >= o.children_.size() ||
        (i < children_.size() && children_[i].pe < o.children_[j].pe)) {
      out.children_.push_back(children_[i++]);
    } else if (i >= children_.size() || o.children_[j].pe < children_[i].pe) {
      out.children_.push_back(o.children_[j++]);
    } else {
      out.children_.push_back(
          {children_[i].pe, children_[i].set.Union(o.children_[j].set)});
      ++i;
      ++j;
    }
  }
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& o) const {
  FieldSet out;
  std::set_intersection(members_.begin(), members_.end(), o.members_.begin(),
                        o.members_.end(), std::back_inserter(out.members_));
  for (const Node& n : children_) {
    if (const FieldSet* other = o.Child(n.pe)) {
      FieldSet both = n.set.Intersection(*other);
      if (!both.Empty()) out.children_.push_back({n.pe, std::move(both)});
    }
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& o) const {
  FieldSet out;
  std::set_difference(members_.begin(), members_.end(), o.members_.begin(),
                      o.members_.end(), std::back_inserter(out.members_));
  for (const Node& n : children_) {
    const FieldSet* other = o.Child(n.pe);
    if (other == nullptr) {
      out.children_.push_back(n);
      continue;
    }
    FieldSet diff = n.set.Difference(*other);
    if (!diff.Empty()) out.children_.push_back({n.pe, std::move(diff)});
  }
  return out;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& o) const {
  FieldSet out;
  std::set_difference(members_.begin(), members_.end(), o.members_.begin(),
                      o.members_.end(), std::back_inserter(out.members_));
  for (const Node& n : children_) {
    if (o.HasMember(n.pe)) continue;
    const FieldSet* other = o.Child(n.pe);
    if (other == nullptr) {
      out.children_.push_back(n);
      continue;
    }
    FieldSet diff = n.set.RecursiveDifference(*other);
    if (!diff.Empty()) out.children_.push_back({n.pe, std::move(diff)});
  }
  return out;
}

void FieldSet::UnionWith(const FieldSet& o) {
  if (!o.members_.empty()) {
    std::vector<PathElement> merged;
    merged.reserve(members_.size() + o.members_.size());
    auto a = members_.begin();
    auto b = o.members_.begin();
    while (a != members_.end() || b != o.members_.end()) {
      if (b == o.members_.end() || (a != members_.end() && *a < *b)) {
        merged.push_back(std::move(*a++));
      } else if (a == members_.end() || *b < *a) {
        merged.push_back(*b++);
      } else {
        merged.push_back(std::move(*a++));
        ++b;
      }
    }
    members_ = std::move(merged);
  }
  for (const Node& n : o.children_) ChildForInsert(n.pe).UnionWith(n.set);
}

void FieldSet::DropEmptyChildren() {
  children_.erase(std::remove_if(children_.begin(), children_.end(),
                                 [](const Node& n) { return n.set.Empty(); }),
                  children_.end());
}

void FieldSet::DifferenceWith(const FieldSet& o) {
  members_.erase(std::remove_if(members_.begin(), members_.end(),
                                [&o](const PathElement& pe) {
                                  return o.HasMember(pe);
                                }),
                 members_.end());
  for (Node& n : children_) {
    if (const FieldSet* other = o.Child(n.pe)) n.set.DifferenceWith(*other);
  }
  DropEmptyChildren();
}

void FieldSet::RecursiveDifferenceWith(const FieldSet& o) {
  members_.erase(std::remove_if(members_.begin(), members_.end(),
                                [&o](const PathElement& pe) {
                                  return o.HasMember(pe);
                                }),
                 members_.end());
  for (Node& n : children_) {
    if (o.HasMember(n.pe)) {
      n.set = FieldSet();
    } else if (const FieldSet* other = o.Child(n.pe)) {
      n.set.RecursiveDifferenceWith(*other);
    }
  }
  DropEmptyChildren();
}

void FieldSet::IterateFrom(
    FieldPath& prefix, const std::function<void(const FieldPath&)>& fn) const {
  for (const PathElement& pe : members_) {
    prefix.push_back(pe);
    fn(prefix);
    prefix.pop_back();
  }
  for (const Node& n : children_) {
    prefix.push_back(n.pe);
    n.set.IterateFrom(prefix, fn);
    prefix.pop_back();
  }
}

void FieldSet::Iterate(const std::function<void(const FieldPath&)>& fn) const {
  FieldPath prefix;
  IterateFrom(prefix, fn);
}

Json FieldSet::ToJson() const {
  Json out = Json::object();
  for (const PathElement& pe : members_) out[pe.Serialize()] = Json::object();
  for (const Node& n : children_) {
    Json child = n.set.ToJson();
    if (HasMember(n.pe)) child["."] = Json::object();
    out[n.pe.Serialize()] = std::move(child);
  }
  return out;
}

base::StatusOr<FieldSet> FieldSet::FromJson(const Json& fields_v1) {
  FieldSet out;
  if (fields_v1.is_null()) return out;
  if (!fields_v1.is_object()) {
    return base::BadRequest("fieldsV1 must be an object");
  }
  for (const auto& [key, child] : fields_v1.items()) {
    if (key == ".") continue;
    std::optional<PathElement> pe = PathElement::Deserialize(key);
    if (!pe) {
      // Unknown element types are skipped, as fieldpath does.
      if (key.size() >= 2 && key[1] == ':' &&
          std::string_view("fkvi").find(key[0]) == std::string_view::npos) {
        continue;
      }
      return base::BadRequest("parsing key as path element: " + key);
    }
    KSIM_ASSIGN_OR_RETURN(FieldSet sub, FromJson(child));
    bool member = !child.is_object() || child.empty() || child.contains(".");
    if (member) out.InsertMember(*pe);
    out.SetChild(*pe, std::move(sub));
  }
  return out;
}

bool FieldSet::operator==(const FieldSet& o) const {
  if (members_ != o.members_ || children_.size() != o.children_.size()) {
    return false;
  }
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!(children_[i].pe == o.children_[i].pe) ||
        !(children_[i].set == o.children_[i].set)) {
      return false;
    }
  }
  return true;
}

}  // namespace ksim::apiserver
