#include "apiserver/field_set.h"

#include <algorithm>

namespace ksim::apiserver {

using base::Json;

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

void FieldSet::InsertMemberWithChildren(const PathElement& pe, FieldSet below) {
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
  members_.erase(
      std::remove_if(members_.begin(), members_.end(),
                     [&o](const PathElement& pe) { return o.HasMember(pe); }),
      members_.end());
  for (Node& n : children_) {
    if (const FieldSet* other = o.Child(n.pe)) n.set.DifferenceWith(*other);
  }
  DropEmptyChildren();
}

void FieldSet::RecursiveDifferenceWith(const FieldSet& o) {
  members_.erase(
      std::remove_if(members_.begin(), members_.end(),
                     [&o](const PathElement& pe) { return o.HasMember(pe); }),
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
