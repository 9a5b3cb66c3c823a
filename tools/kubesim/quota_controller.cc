#include "tools/kubesim/quota_controller.h"

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/resource_quota_object.h"

namespace sluice::kubesim {

QuotaController::QuotaController(const Clock& clock, ObjectStore* store, QuotaOptions options)
    : clock_(clock), store_(store), options_(options), loop_(clock, [this] {
        Sync();
        return clock_.MonoNow() + options_.sync_interval;
      }) {}

QuotaController::~QuotaController() { Stop(); }

std::optional<ApiError> QuotaController::Validate(const ResourceInfo& resource,
                                                  const ApiObject& object) {
  if (resource.name != "pods") return std::nullopt;
  return ledger_.AdmitPod(static_cast<const Pod&>(object));
}

void QuotaController::Unreserve(const ResourceInfo& resource, const ApiObject& object) {
  if (resource.name != "pods") return;
  ledger_.Unreserve(object.meta().namespace_name, object.meta().uid);
}

void QuotaController::OnCommit(const ResourceInfo& resource, const StoredEvent& event) {
  const ObjectMeta& meta = event.object->meta();
  if (resource.name == "pods") {
    switch (event.type) {
      case EventType::kAdded:
        ledger_.PodAdded(static_cast<const Pod&>(*event.object));
        break;
      case EventType::kModified:
        if (IsTerminal(static_cast<const Pod&>(*event.object).phase()) &&
            !IsTerminal(static_cast<const Pod&>(*event.prev).phase())) {
          ledger_.PodTerminal(meta.namespace_name, meta.uid);
        }
        break;
      case EventType::kDeleted:
        ledger_.PodDeleted(meta.namespace_name, meta.uid);
        break;
      default:
        break;
    }
  } else if (resource.name == "resourcequotas") {
    if (event.type == EventType::kDeleted) {
      ledger_.RemoveQuota(meta.namespace_name, meta.name);
    } else if (event.type == EventType::kAdded ||
               static_cast<const ResourceQuotaObject&>(*event.object).spec() !=
                   static_cast<const ResourceQuotaObject&>(*event.prev).spec()) {
      ledger_.UpsertQuota(meta.namespace_name, meta.name,
                          static_cast<const ResourceQuotaObject&>(*event.object).spec());
    }
  }
}

void QuotaController::Sync() {
  absl::MutexLock lock(&sync_mu_);
  for (const QuotaLedger::QuotaStatusView& v : ledger_.Sync()) {
    if (!v.synced) continue;
    store_->Update("resourcequotas", v.namespace_name, v.name,
                   [&](const ApiObject& current) -> ApiOr<std::shared_ptr<ApiObject>> {
                     const auto& q = static_cast<const ResourceQuotaObject&>(current);
                     const std::optional<QuotaStatus>& s = q.status();
                     if (s.has_value() && s->hard.ToString() == v.hard.ToString() &&
                         s->used.ToString() == v.used.ToString()) {
                       return std::shared_ptr<ApiObject>();
                     }
                     auto next = std::static_pointer_cast<ResourceQuotaObject>(q.Clone());
                     next->set_status({v.hard, v.used});
                     return std::shared_ptr<ApiObject>(std::move(next));
                   });
  }
}

std::string QuotaController::QuotasJson() const {
  auto write_list = [](JsonWriter& w, std::string_view key, const ResourceList& list) {
    w.Key(key);
    w.BeginObject();
    for (const ResourceList::Entry& e : list) w.KeyString(e.name, e.quantity.String());
    w.EndObject();
  };
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("quotas");
  w.BeginArray();
  for (const QuotaLedger::QuotaStatusView& v : ledger_.Quotas()) {
    w.BeginObject();
    w.KeyString("namespace", v.namespace_name);
    w.KeyString("name", v.name);
    w.KeyBool("synced", v.synced);
    write_list(w, "spec_hard", v.spec.hard);
    write_list(w, "hard", v.hard);
    write_list(w, "used", v.used);
    w.KeyInt("refused", v.refused);
    w.EndObject();
  }
  w.EndArray();
  w.KeyInt("refused_total", ledger_.refused());
  w.EndObject();
  return out;
}

void QuotaController::Start() { loop_.Start(); }

void QuotaController::Stop() { loop_.Stop(); }

}  // namespace sluice::kubesim
