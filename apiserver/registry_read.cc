// Registry: get, list (selectors, paging, resourceVersion semantics), watch.
#include "apiserver/api_errors.h"
#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "apiserver/registry_internal.h"
#include "apiserver/strategy.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

constexpr char kContinueTooOld[] =
    "The provided continue parameter is too old to display a consistent list "
    "result. You can start a new list without the continue parameter, or use "
    "the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent "
    "list - objects that were created, modified, or deleted between the time "
    "the first chunk was returned and now may show up in the list.";

std::string ListPrefix(const Target& t) {
  if (t.resource->namespaced && !t.ns.empty()) {
    return NamespacePrefix(*t.resource, t.ns);
  }
  return ResourcePrefix(*t.resource);
}

// metav1 continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":K}
// where K is the next key relative to the list prefix.
std::string EncodeContinue(int64_t rv, const std::string& start) {
  Json j = {{"v", "meta.k8s.io/v1"}, {"rv", rv}, {"start", start}};
  return base::Base64UrlEncode(j.dump());
}

StatusOr<std::pair<int64_t, std::string>> DecodeContinue(
    const std::string& token) {
  auto raw = base::Base64UrlDecode(token);
  if (!raw) {
    return base::BadRequest("continue key is not valid: illegal base64 data");
  }
  auto j = base::ParseJson(*raw);
  if (!j.ok() || !j->is_object() || j->value("v", "") != "meta.k8s.io/v1" ||
      !(*j)["rv"].is_number_integer() || !(*j)["start"].is_string()) {
    return base::BadRequest("continue key is not valid: incorrect encoded "
                            "start resourceVersion (version meta.k8s.io/v1)");
  }
  std::string start = (*j)["start"];
  if (start.find("..") != std::string::npos || start.rfind("/", 0) == 0) {
    return base::BadRequest("continue key is not valid: key is not valid");
  }
  return std::make_pair((*j)["rv"].get<int64_t>(), start);
}

store::Filter MakeFilter(const ListQuery& q) {
  if (q.labels.Empty() && q.fields.Empty()) return {};
  return [labels = q.labels, fields = q.fields](const store::Attributes& a) {
    return labels.Matches(a.labels) && fields.Matches(a.fields);
  };
}

Status CheckFieldSelector(const Target& t, const ListQuery& q) {
  const Strategy& s = StrategyFor(*t.resource);
  for (const auto& term : q.fields.terms()) {
    if (term.field == "metadata.name" || term.field == "metadata.namespace" ||
        s.IsSelectableField(term.field)) {
      continue;
    }
    return base::BadRequest("field label not supported: " + term.field);
  }
  return Status::Ok();
}

StatusOr<int64_t> ParseRevision(const std::string& rv) {
  if (rv.empty()) return int64_t{0};
  char* end = nullptr;
  long long v = std::strtoll(rv.c_str(), &end, 10);
  if (*end != '\0' || v < 0) {
    return base::BadRequest("invalid resource version \"" + rv + "\"");
  }
  return static_cast<int64_t>(v);
}

}  // namespace

StatusOr<store::Object> Registry::GetStored(const Target& t) const {
  auto got = store_->Get(ObjectKey(*t.resource, t.ns, t.name));
  if (!got.ok()) return NewNotFound(*t.resource, t.name);
  return got;
}

StatusOr<std::string> Registry::Get(const Target& t) {
  KSIM_ASSIGN_OR_RETURN(store::Object obj, GetStored(t));
  if (t.subresource == "scale") {
    KSIM_ASSIGN_OR_RETURN(Json j, DecodeObject(obj));
    return ToScale(*t.resource, j).dump();
  }
  return WithResourceVersion(*obj.value, obj.mod_revision);
}

StatusOr<ListPage> Registry::List(const Target& t, const ListQuery& q) {
  KSIM_RETURN_IF_ERROR(CheckFieldSelector(t, q));
  store::ListOptions lo;
  lo.prefix = ListPrefix(t);
  lo.limit = q.limit > 0 ? q.limit : 0;
  lo.filter = MakeFilter(q);
  const int64_t current = store_->CurrentRevision();
  if (!q.continue_token.empty()) {
    if (!q.resource_version.empty() && q.resource_version != "0") {
      return base::BadRequest(
          "specifying resource version is not allowed when using continue");
    }
    KSIM_ASSIGN_OR_RETURN(auto token, DecodeContinue(q.continue_token));
    if (token.first < store_->CompactedRevision()) {
      return base::Expired(kContinueTooOld);
    }
    lo.revision = token.first == current ? 0 : token.first;
    lo.start_key = lo.prefix + token.second;
  } else {
    KSIM_ASSIGN_OR_RETURN(int64_t rv, ParseRevision(q.resource_version));
    if (!q.resource_version_match.empty() && q.resource_version.empty()) {
      return base::BadRequest(
          "resourceVersionMatch is forbidden unless resourceVersion is "
          "provided");
    }
    if (q.resource_version_match == "Exact") {
      if (rv == 0) {
        return base::BadRequest(
            "resourceVersionMatch \"exact\" is forbidden for resourceVersion "
            "\"0\"");
      }
      lo.revision = rv == current ? 0 : rv;
    } else if (!q.resource_version_match.empty() &&
               q.resource_version_match != "NotOlderThan") {
      return base::BadRequest("invalid resourceVersionMatch \"" +
                              q.resource_version_match + "\"");
    }
    if (rv > current) {
      return base::Status(base::Code::kTimeout,
                          "Too large resource version: " + std::to_string(rv) +
                              ", current: " + std::to_string(current));
    }
  }
  auto listed = store_->List(lo);
  if (!listed.ok()) {
    if (listed.status().code() == base::Code::kExpired) {
      return base::Expired(q.continue_token.empty()
                               ? "The resourceVersion for the provided list is "
                                 "too old."
                               : kContinueTooOld);
    }
    return listed.status();
  }
  ListPage page;
  page.items = std::move(listed->items);
  page.revision = listed->revision;
  page.remaining = listed->remaining;
  if (!listed->next_key.empty()) {
    page.continue_token = EncodeContinue(
        listed->revision, listed->next_key.substr(lo.prefix.size()));
  }
  return page;
}

StatusOr<std::unique_ptr<store::Watcher>> Registry::Watch(
    const Target& t, const ListQuery& q, std::function<void()> on_ready,
    std::vector<store::Event>* initial) {
  KSIM_RETURN_IF_ERROR(CheckFieldSelector(t, q));
  store::WatchOptions wo;
  wo.prefix = ListPrefix(t);
  wo.filter = MakeFilter(q);
  if (!t.name.empty()) {  // GET .../<name>?watch=true
    wo.filter = [inner = wo.filter, name = t.name](const store::Attributes& a) {
      auto it = a.fields.find("metadata.name");
      return it != a.fields.end() && it->second == name && (!inner || inner(a));
    };
  }
  wo.on_ready = std::move(on_ready);
  KSIM_ASSIGN_OR_RETURN(int64_t rv, ParseRevision(q.resource_version));
  if (rv == 0) {
    // Unset or "0": the current state first, as synthetic ADDED events.
    store::ListOptions lo;
    lo.prefix = wo.prefix;
    lo.filter = wo.filter;
    KSIM_ASSIGN_OR_RETURN(store::ListResult now, store_->List(lo));
    for (auto& item : now.items) {
      initial->push_back({store::EventType::kAdded, std::move(item), {}});
    }
    wo.after_revision = now.revision;
  } else {
    wo.after_revision = rv;
  }
  auto watcher = store_->Watch(std::move(wo));
  if (!watcher.ok() && watcher.status().code() == base::Code::kExpired) {
    return base::Expired("too old resource version: " + std::to_string(rv) +
                         " (" + std::to_string(store_->CompactedRevision()) +
                         ")");
  }
  return watcher;
}

}  // namespace ksim::apiserver
