// Comparing, merging and pruning typed objects (structured-merge-diff's
// typed/compare.go, merge.go and remove.go).
#include <deque>
#include <map>
#include <set>

#include "apiserver/smd_typed.h"

namespace ksim::apiserver::smd {
namespace {

const Json kNull;
const Json kEmptyList = Json::array();

const Json& AsList(const Json& v) { return v.is_array() ? v : kEmptyList; }

bool EmptyContainer(const Json* v) {
  return v == nullptr || v->is_null() || v->empty();
}

bool SameKind(const Json* a, const Json* b) {
  if (a == nullptr || b == nullptr || a->is_null() || b->is_null()) {
    return true;
  }
  return a->is_object() == b->is_object() && a->is_array() == b->is_array();
}

// Items of a list by path element, in order of first appearance.
struct Indexed {
  std::vector<PathElement> order;
  std::map<PathElement, std::vector<const Json*>> items;
};

}  // namespace

void Typer::CompareAt(const FieldSchema& schema, const Json* lhs,
                      const Json* rhs, FieldPath& path, Comparison& out) const {
  if (lhs == nullptr && rhs != nullptr && !path.empty()) {
    FieldSet below;
    AddedBelow(schema, *rhs, below);
    out.added.InsertWithChildren(path, std::move(below));
    return;
  }
  Node n = Resolve(schema, rhs != nullptr ? rhs : lhs);
  if (lhs != nullptr && rhs != nullptr && !n.mismatch) {
    n.mismatch = Resolve(schema, lhs).mismatch || !SameKind(lhs, rhs);
  }
  bool leaf = n.shape == Node::Shape::kScalar || n.mismatch || n.atomic ||
              (EmptyContainer(lhs) && EmptyContainer(rhs));
  if (leaf) {
    if (lhs == nullptr) {
      out.added.Insert(path);
    } else if (rhs == nullptr) {
      out.removed.Insert(path);
    } else if (*lhs != *rhs) {
      out.modified.Insert(path);
    }
    return;
  }
  if (n.shape == Node::Shape::kList) {
    CompareLists(n, lhs, rhs, path, out);
  } else {
    std::set<std::string> keys;
    for (const Json* side : {lhs, rhs}) {
      if (side == nullptr || !side->is_object()) continue;
      for (const auto& [k, v] : side->items()) keys.insert(k);
    }
    for (const std::string& k : keys) {
      auto child = [&k](const Json* side) -> const Json* {
        if (side == nullptr || !side->is_object()) return nullptr;
        auto it = side->find(k);
        return it == side->end() ? nullptr : &*it;
      };
      bool declared;
      FieldSchema f = ChildField(n, k, &declared);
      path.push_back(PathElement::Field(k));
      CompareAt(f, child(lhs), child(rhs), path, out);
      path.pop_back();
    }
  }
  if (lhs == nullptr) {
    out.added.Insert(path);
  } else if (rhs == nullptr) {
    out.removed.Insert(path);
  }
}

void Typer::AddedBelow(const FieldSchema& schema, const Json& v,
                       FieldSet& below) const {
  Node n = Resolve(schema, &v);
  if (n.shape == Node::Shape::kScalar || n.mismatch || n.atomic ||
      EmptyContainer(&v)) {
    return;  // a leaf: only its own path
  }
  if (n.shape == Node::Shape::kMap) {
    for (const auto& [k, child] : v.items()) {
      bool declared;
      FieldSchema f = ChildField(n, k, &declared);
      FieldSet sub;
      AddedBelow(f, child, sub);
      below.InsertMemberWithChildren(PathElement::Field(k), std::move(sub));
    }
    return;
  }
  // An item whose key repeats is added as a whole, without its fields.
  FieldSchema items = LookupItems(registry_, n.schema);
  std::vector<std::optional<PathElement>> pes;
  std::map<PathElement, int> count;
  for (const Json& item : v) {
    std::string err;
    pes.push_back(ItemElement(n, item, &err));
    if (pes.back()) ++count[*pes.back()];
  }
  for (size_t i = 0; i < pes.size(); ++i) {
    if (!pes[i]) continue;
    FieldSet sub;
    if (count[*pes[i]] == 1) AddedBelow(items, v[i], sub);
    below.InsertMemberWithChildren(*pes[i], std::move(sub));
  }
}

void Typer::CompareLists(const Node& list, const Json* lhs, const Json* rhs,
                         FieldPath& path, Comparison& out) const {
  FieldSchema items = LookupItems(registry_, list.schema);
  std::vector<PathElement> all;
  std::map<PathElement, std::vector<const Json*>> left, right;
  for (auto [side, values] : {std::pair{lhs, &left}, std::pair{rhs, &right}}) {
    if (side == nullptr || !side->is_array()) continue;
    for (const Json& item : *side) {
      std::string err;
      std::optional<PathElement> pe = ItemElement(list, item, &err);
      if (!pe) continue;
      auto& slot = (*values)[*pe];
      if (slot.empty() && !(values == &right && left.count(*pe))) {
        all.push_back(*pe);
      }
      slot.push_back(&item);
    }
  }
  for (const PathElement& pe : all) {
    const std::vector<const Json*>& l = left[pe];
    const std::vector<const Json*>& r = right[pe];
    path.push_back(pe);
    if (l.size() <= 1 && r.size() <= 1) {
      CompareAt(items, l.empty() ? nullptr : l[0], r.empty() ? nullptr : r[0],
                path, out);
    } else if (l.size() >= 2 && r.size() >= 2) {
      bool equal = l.size() == r.size();
      for (size_t i = 0; equal && i < l.size(); ++i) equal = *l[i] == *r[i];
      if (!equal) out.modified.Insert(path);
    } else if (l.size() >= 2) {
      if (!r.empty()) CompareAt(items, nullptr, r[0], path, out);
      out.removed.Insert(path);
    } else {
      if (!l.empty()) CompareAt(items, l[0], nullptr, path, out);
      out.added.Insert(path);
    }
    path.pop_back();
  }
}

Comparison Typer::Compare(const FieldSchema& schema, const Json* lhs,
                          const Json* rhs) const {
  Comparison out;
  FieldPath path;
  CompareAt(schema, lhs, rhs, path, out);
  return out;
}

Json Typer::Merge(const FieldSchema& schema, const Json& lhs,
                  const Json& rhs) const {
  Node n = Resolve(schema, &rhs);
  if (!n.mismatch) n.mismatch = Resolve(schema, &lhs).mismatch;
  bool leaf = n.shape == Node::Shape::kScalar || n.mismatch || n.atomic ||
              !SameKind(&lhs, &rhs) ||
              (EmptyContainer(&lhs) && EmptyContainer(&rhs));
  if (leaf) return rhs;
  if (n.shape == Node::Shape::kList) return MergeLists(n, lhs, rhs);
  Json out = Json::object();
  if (lhs.is_object()) out = lhs;
  if (rhs.is_object()) {
    for (const auto& [k, v] : rhs.items()) {
      auto it = out.find(k);
      if (it == out.end()) {
        out[k] = v;
        continue;
      }
      bool declared;
      *it = Merge(ChildField(n, k, &declared), *it, v);
    }
  }
  return out;
}

Typer::ListIndex Typer::IndexList(const Node& list, const Json& side,
                                  bool live) const {
  // Live items may repeat a key (the first stands for it, merged as null);
  // applied ones were validated unique.
  ListIndex out;
  for (const Json& item : AsList(side)) {
    std::string err;
    std::optional<PathElement> pe = ItemElement(list, item, &err);
    if (!pe) continue;
    auto [it, fresh] = out.observed.emplace(*pe, &item);
    if (!fresh) {
      if (!live) continue;
      it->second = &kNull;
    }
    out.pes.push_back(*pe);
    out.items.push_back(&item);
  }
  return out;
}

// The order of a merged associative list: live items keep their places,
// applied items follow the applied order, new ones land after their
// predecessor in the applied list (typed/merge.go visitListItems).
Json Typer::MergeLists(const Node& list, const Json& lhs,
                       const Json& rhs) const {
  FieldSchema items = LookupItems(registry_, list.schema);
  ListIndex l = IndexList(list, lhs, true), r = IndexList(list, rhs, false);
  std::deque<PathElement> shared;
  for (const PathElement& pe : r.pes) {
    if (l.observed.count(pe)) shared.push_back(pe);
  }
  std::optional<PathElement> next;
  auto advance = [&]() {
    next.reset();
    if (!shared.empty()) {
      next = shared.front();
      shared.pop_front();
    }
  };
  advance();
  Json out = Json::array();
  auto emit = [&](const Json* lv, const Json* rv) {
    out.push_back(lv == nullptr   ? *rv
                  : rv == nullptr ? *lv
                                  : Merge(items, *lv, *rv));
  };
  std::set<PathElement> merged_rhs;
  size_t li = 0, ri = 0;
  while (li < l.pes.size() || ri < r.pes.size()) {
    if (li < l.pes.size() && ri < r.pes.size()) {
      const PathElement& pe = l.pes[li];
      if (pe == r.pes[ri]) {
        merged_rhs.insert(pe);
        emit(l.observed[pe], r.observed[pe]);
        ++li;
        ++ri;
        advance();
        continue;
      }
      if (r.observed.count(pe) && next && !(*next == pe)) {
        ++li;
        continue;
      }
    }
    if (li < l.pes.size()) {
      const PathElement& pe = l.pes[li];
      if (!r.observed.count(pe)) {
        emit(l.items[li], nullptr);
        ++li;
        continue;
      }
      if (merged_rhs.count(pe)) ++li;
    }
    if (ri < r.pes.size()) {
      const PathElement& pe = r.pes[ri];
      merged_rhs.insert(pe);
      auto lv = l.observed.find(pe);
      emit(lv == l.observed.end() ? nullptr : lv->second, r.observed[pe]);
      ++ri;
      if (next && *next == pe) advance();
    }
  }
  return out;
}

std::optional<Json> Typer::RemoveItems(const FieldSchema& schema, const Json& v,
                                       const FieldSet& set) const {
  Node n = Resolve(schema, &v);
  if (n.shape == Node::Shape::kScalar || n.mismatch) return v;
  if (v.is_null() || v.empty() || n.atomic) return std::nullopt;
  if (n.shape == Node::Shape::kList) {
    FieldSchema items = LookupItems(registry_, n.schema);
    Json out = Json::array();
    for (const Json& item : v) {
      std::string err;
      std::optional<PathElement> pe = ItemElement(n, item, &err);
      if (!pe) {
        out.push_back(item);
        continue;
      }
      if (set.HasMember(*pe)) continue;
      if (const FieldSet* sub = set.Child(*pe)) {
        out.push_back(RemoveItems(items, item, *sub).value_or(Json()));
      } else {
        out.push_back(item);
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  Json out = Json::object();
  for (const auto& [k, child] : v.items()) {
    PathElement pe = PathElement::Field(k);
    if (set.HasMember(pe)) continue;
    if (const FieldSet* sub = set.Child(pe)) {
      bool declared;
      out[k] = RemoveItems(ChildField(n, k, &declared), child, *sub)
                   .value_or(Json());
    } else {
      out[k] = child;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace ksim::apiserver::smd
