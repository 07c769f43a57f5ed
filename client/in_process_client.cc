// InProcessClient reads and watches: Registry results (stored JSON with the
// resourceVersion spliced in) decoded into Json for the components.
#include "client/in_process_client.h"

#include "apiserver/object_codec.h"
#include "apiserver/selector.h"
#include "client/in_process_internal.h"

namespace ksim::client {
namespace {

StatusOr<Json> DecodeStored(const store::Object& o) {
  return base::ParseJson(
      apiserver::WithResourceVersion(*o.value, o.mod_revision));
}

StatusOr<apiserver::ListQuery> QueryOf(const ListOptions& o) {
  apiserver::ListQuery q;
  if (!o.label_selector.empty()) {
    KSIM_ASSIGN_OR_RETURN(q.labels,
                          apiserver::LabelSelector::Parse(o.label_selector));
  }
  if (!o.field_selector.empty()) {
    KSIM_ASSIGN_OR_RETURN(q.fields,
                          apiserver::FieldSelector::Parse(o.field_selector));
  }
  q.limit = o.limit;
  q.continue_token = o.continue_token;
  q.resource_version = o.resource_version;
  return q;
}

EventType TypeOf(store::EventType t) {
  switch (t) {
    case store::EventType::kAdded:
      return EventType::kAdded;
    case store::EventType::kModified:
      return EventType::kModified;
    case store::EventType::kDeleted:
      return EventType::kDeleted;
  }
  return EventType::kModified;
}

// A registry watch decoded into WatchEvents. A delete carries the last state
// with the deletion's revision as its resourceVersion (store::Event's
// convention, which is kube-apiserver's).
class InProcessWatch : public WatchStream {
 public:
  InProcessWatch(std::unique_ptr<store::Watcher> watcher,
                 std::vector<store::Event> initial)
      : watcher_(std::move(watcher)), initial_(std::move(initial)) {}
  ~InProcessWatch() override { watcher_->Stop(); }

  bool Poll(std::vector<WatchEvent>* out, size_t max) override {
    size_t taken = 0;
    while (next_initial_ < initial_.size() && taken < max) {
      Append(initial_[next_initial_++], out);
      ++taken;
    }
    if (next_initial_ < initial_.size() || taken >= max) return true;
    if (!initial_.empty()) initial_.clear();  // release the snapshot
    next_initial_ = 0;
    batch_.clear();
    bool open = watcher_->Poll(&batch_, max - taken);
    for (const auto& e : batch_) Append(e, out);
    batch_.clear();
    return open;
  }

  Status status() const override { return watcher_->status(); }

 private:
  static void Append(const store::Event& e, std::vector<WatchEvent>* out) {
    auto obj = DecodeStored(e.object);
    // Stored values were encoded by the registry; a value that does not
    // parse cannot be delivered and would only stall the consumer.
    if (obj.ok()) out->push_back({TypeOf(e.type), std::move(obj).value()});
  }

  std::unique_ptr<store::Watcher> watcher_;
  std::vector<store::Event> initial_;
  size_t next_initial_ = 0;
  std::vector<store::Event> batch_;
};

}  // namespace

InProcessClient::InProcessClient(apiserver::Registry* registry,
                                 base::EventLoop* loop,
                                 InProcessOptions options)
    : registry_(registry),
      loop_(loop),
      pool_(std::make_shared<WritePool>(registry, loop,
                                        options.writer_threads)) {}

InProcessClient::InProcessClient(std::shared_ptr<WritePool> pool)
    : registry_(pool->registry()),
      loop_(pool->loop()),
      pool_(std::move(pool)) {}

InProcessClient::~InProcessClient() { pool_->WaitIdle(); }

std::unique_ptr<Client> InProcessClient::WithFieldManager(
    const std::string& manager) {
  std::unique_ptr<InProcessClient> c(new InProcessClient(pool_));
  c->set_field_manager(manager);
  return c;
}

StatusOr<Json> InProcessClient::Get(const Resource& r, const std::string& ns,
                                    const std::string& name) {
  KSIM_ASSIGN_OR_RETURN(apiserver::Target t, TargetOf(r, ns, name, ""));
  KSIM_ASSIGN_OR_RETURN(std::string body, registry_->Get(t));
  return base::ParseJson(body);
}

StatusOr<ObjectList> InProcessClient::List(const Resource& r,
                                           const std::string& ns,
                                           const ListOptions& o) {
  KSIM_ASSIGN_OR_RETURN(apiserver::Target t, TargetOf(r, ns, "", ""));
  KSIM_ASSIGN_OR_RETURN(apiserver::ListQuery q, QueryOf(o));
  KSIM_ASSIGN_OR_RETURN(apiserver::ListPage page, registry_->List(t, q));
  ObjectList list;
  list.items.reserve(page.items.size());
  for (const auto& item : page.items) {
    KSIM_ASSIGN_OR_RETURN(Json obj, DecodeStored(item));
    list.items.push_back(std::move(obj));
  }
  list.resource_version = std::to_string(page.revision);
  list.continue_token = std::move(page.continue_token);
  return list;
}

StatusOr<std::unique_ptr<WatchStream>> InProcessClient::Watch(
    const Resource& r, const std::string& ns, const ListOptions& o,
    std::function<void()> on_ready) {
  KSIM_ASSIGN_OR_RETURN(apiserver::Target t, TargetOf(r, ns, "", ""));
  KSIM_ASSIGN_OR_RETURN(apiserver::ListQuery q, QueryOf(o));
  std::vector<store::Event> initial;
  KSIM_ASSIGN_OR_RETURN(std::unique_ptr<store::Watcher> watcher,
                        registry_->Watch(t, q, on_ready, &initial));
  const bool wake = !initial.empty();
  auto stream =
      std::make_unique<InProcessWatch>(std::move(watcher), std::move(initial));
  // The synthetic ADDED events of a watch from "" or "0" are ready now, but
  // the store only signals its own history.
  if (wake && on_ready) on_ready();
  return std::unique_ptr<WatchStream>(std::move(stream));
}

void InProcessClient::Do(Action action, WriteCallback done) {
  if (action.field_manager.empty()) action.field_manager = field_manager();
  pool_->Do(std::move(action), std::move(done));
}

}  // namespace ksim::client
