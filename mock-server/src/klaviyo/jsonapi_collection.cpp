#include "klaviyo/jsonapi_collection.h"

#include <nlohmann/json.hpp>

#include "klaviyo/iso_datetime.h"
#include "klaviyo/operations.h"

namespace livedata::server::klaviyo {
namespace {

using Json = nlohmann::ordered_json;

// --- rendering

// Writes the attributes a sparse fieldset keeps (all without one).
class AttributeWriter {
 public:
  explicit AttributeWriter(const FieldSet& fields) : fields_(fields) {}

  template <typename Value>
  void set(const char* name, Value&& value) {
    if (!fields_ || fields_->count(name)) attributes_[name] = std::forward<Value>(value);
  }
  void setTime(const char* name, const std::optional<UnixSeconds>& time) {
    set(name, time ? Json(formatDateTime(*time)) : Json(nullptr));
  }
  template <typename Value>
  void setOptional(const char* name, const std::optional<Value>& value) {
    set(name, value ? Json(*value) : Json(nullptr));
  }
  Json take() { return std::move(attributes_); }

 private:
  const FieldSet& fields_;
  Json attributes_ = Json::object();
};

Json attributesOf(const CampaignResource& c, const FieldSet& fields) {
  AttributeWriter out(fields);
  out.set("name", c.name);
  out.set("status", c.status);
  out.set("archived", c.archived);
  out.set("audiences", Json{{"included", Json::array({"Y6nRLr"})}, {"excluded", Json::array()}});
  out.set("send_options", Json{{"use_smart_sending", true}});
  out.set("tracking_options", nullptr);
  // A campaign with a send time is sent at it; one without is sent when its sender says so.
  out.set("send_strategy", c.sendTime ? Json{{"method", "static"}, {"datetime", formatDateTime(*c.sendTime)}, {"options", nullptr}}
                                      : Json{{"method", "immediate"}});
  out.setTime("created_at", c.createdAt);
  out.setTime("scheduled_at", c.sendTime);
  out.setTime("updated_at", c.updatedAt);
  out.setTime("send_time", c.sendTime);
  return out.take();
}

Json attributesOf(const FlowResource& f, const FieldSet& fields) {
  AttributeWriter out(fields);
  out.setOptional("name", f.name);
  out.setOptional("status", f.status);
  out.setOptional("archived", f.archived);
  out.setTime("created", f.created);
  out.setTime("updated", f.updated);
  out.setOptional("trigger_type", f.triggerType);
  return out.take();
}

Json attributesOf(const FormResource& f, const FieldSet& fields) {
  AttributeWriter out(fields);
  out.set("name", f.name);
  out.set("status", f.status);
  out.set("ab_test", f.abTest);
  out.setTime("created_at", f.createdAt);
  out.setTime("updated_at", f.updatedAt);
  return out.take();
}

Json attributesOf(const SegmentResource& s, const FieldSet& fields) {
  AttributeWriter out(fields);
  out.setOptional("name", s.name);
  out.set("definition", nullptr);
  out.setTime("created", s.created);
  out.setTime("updated", s.updated);
  out.set("is_active", s.isActive);
  out.set("is_processing", s.isProcessing);
  out.set("is_starred", s.isStarred);
  // Asked for with additional-fields[segment]: written whatever the fieldset.
  Json attributes = out.take();
  if (s.profileCount) attributes["profile_count"] = *s.profileCount;
  return attributes;
}

Json attributesOf(const MetricResource& m, const FieldSet& fields) {
  AttributeWriter out(fields);
  out.setOptional("name", m.name);
  out.setOptional("created", m.created);
  out.setOptional("updated", m.updated);
  if (m.integrationName || m.integrationCategory) {
    Json integration = Json::object();
    if (m.integrationName) integration["name"] = *m.integrationName;
    if (m.integrationCategory) integration["category"] = *m.integrationCategory;
    out.set("integration", std::move(integration));
  } else {
    out.set("integration", nullptr);
  }
  return out.take();
}

template <typename Resource>
std::string_view typeOf();
template <>
std::string_view typeOf<CampaignResource>() { return operationOf(Collection::campaigns).resourceType; }
template <>
std::string_view typeOf<FlowResource>() { return operationOf(Collection::flows).resourceType; }
template <>
std::string_view typeOf<FormResource>() { return operationOf(Collection::forms).resourceType; }
template <>
std::string_view typeOf<SegmentResource>() { return operationOf(Collection::segments).resourceType; }
template <>
std::string_view typeOf<MetricResource>() { return operationOf(Collection::metrics).resourceType; }

template <typename Resource>
std::string_view pathOf();
template <>
std::string_view pathOf<CampaignResource>() { return operationOf(Collection::campaigns).path; }
template <>
std::string_view pathOf<FlowResource>() { return operationOf(Collection::flows).path; }
template <>
std::string_view pathOf<FormResource>() { return operationOf(Collection::forms).path; }
template <>
std::string_view pathOf<SegmentResource>() { return operationOf(Collection::segments).path; }
template <>
std::string_view pathOf<MetricResource>() { return operationOf(Collection::metrics).path; }

template <typename Resource>
std::string render(const std::vector<Resource>& resources, const PageLinks& links, const RenderOptions& options) {
  Json data = Json::array();
  for (const Resource& resource : resources) {
    data.push_back(Json{{"type", typeOf<Resource>()},
                        {"id", resource.id},
                        {"attributes", attributesOf(resource, options.fields)},
                        {"links", {{"self", options.origin + std::string(pathOf<Resource>()) + "/" + resource.id + "/"}}}});
  }
  Json pageLinks{{"self", links.self}};
  if (links.next) pageLinks["next"] = *links.next;
  return Json{{"data", std::move(data)}, {"links", std::move(pageLinks)}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// --- parsing

// Reads one resource's attributes, naming the first one of the wrong type.
class AttributeReader {
 public:
  AttributeReader(const nlohmann::json& attributes, std::size_t index) : attributes_(attributes), index_(index) {}

  const std::optional<std::string>& error() const { return error_; }

  void text(const char* name, std::string& out) {
    if (const auto* value = find(name); value && check(name, value->is_string(), "a string")) out = value->get<std::string>();
  }
  void text(const char* name, std::optional<std::string>& out) {
    if (const auto* value = find(name); value && !value->is_null() && check(name, value->is_string(), "a string or null")) {
      out = value->get<std::string>();
    }
  }
  void flag(const char* name, bool& out) {
    if (const auto* value = find(name); value && check(name, value->is_boolean(), "true or false")) out = value->get<bool>();
  }
  void flag(const char* name, std::optional<bool>& out) {
    if (const auto* value = find(name); value && !value->is_null() && check(name, value->is_boolean(), "true, false or null")) {
      out = value->get<bool>();
    }
  }
  void count(const char* name, std::optional<std::int64_t>& out) {
    if (const auto* value = find(name); value && !value->is_null() && check(name, value->is_number_integer(), "an integer")) {
      out = value->get<std::int64_t>();
    }
  }
  void time(const char* name, UnixSeconds& out) {
    std::optional<UnixSeconds> read;
    time(name, read);
    if (read) out = *read;
  }
  void time(const char* name, std::optional<UnixSeconds>& out) {
    const auto* value = find(name);
    if (!value || value->is_null() || !check(name, value->is_string(), "a date-time or null")) return;
    const auto parsed = parseDateTime(value->get_ref<const std::string&>());
    if (check(name, parsed.has_value(), "an RFC 3339 date-time such as 2026-11-01T09:30:00+00:00")) out = parsed;
  }
  const nlohmann::json* find(const char* name) const {
    if (error_) return nullptr;
    const auto found = attributes_.find(name);
    return found == attributes_.end() ? nullptr : &*found;
  }

 private:
  bool check(const char* name, bool ok, const char* expected) {
    if (!ok && !error_) error_ = "data[" + std::to_string(index_) + "].attributes." + name + " is not " + expected;
    return ok && !error_;
  }

  const nlohmann::json& attributes_;
  std::size_t index_;
  std::optional<std::string> error_;
};

void read(AttributeReader& in, CampaignResource& c) {
  in.text("name", c.name);
  in.text("status", c.status);
  in.flag("archived", c.archived);
  in.time("send_time", c.sendTime);
  in.time("created_at", c.createdAt);
  in.time("updated_at", c.updatedAt);
}
void read(AttributeReader& in, FlowResource& f) {
  in.text("name", f.name);
  in.text("status", f.status);
  in.flag("archived", f.archived);
  in.text("trigger_type", f.triggerType);
  in.time("created", f.created);
  in.time("updated", f.updated);
}
void read(AttributeReader& in, FormResource& f) {
  in.text("name", f.name);
  in.text("status", f.status);
  in.flag("ab_test", f.abTest);
  in.time("created_at", f.createdAt);
  in.time("updated_at", f.updatedAt);
}
void read(AttributeReader& in, SegmentResource& s) {
  in.text("name", s.name);
  in.flag("is_active", s.isActive);
  in.flag("is_processing", s.isProcessing);
  in.flag("is_starred", s.isStarred);
  in.time("created", s.created);
  in.time("updated", s.updated);
  in.count("profile_count", s.profileCount);
}
void read(AttributeReader& in, MetricResource& m) {
  in.text("name", m.name);
  in.text("created", m.created);
  in.text("updated", m.updated);
  if (const auto* integration = in.find("integration"); integration && integration->is_object()) {
    AttributeReader inner(*integration, 0);
    inner.text("name", m.integrationName);
    inner.text("category", m.integrationCategory);
  }
}

}  // namespace

std::string renderCollection(const std::vector<CampaignResource>& r, const PageLinks& l, const RenderOptions& o) { return render(r, l, o); }
std::string renderCollection(const std::vector<FlowResource>& r, const PageLinks& l, const RenderOptions& o) { return render(r, l, o); }
std::string renderCollection(const std::vector<FormResource>& r, const PageLinks& l, const RenderOptions& o) { return render(r, l, o); }
std::string renderCollection(const std::vector<SegmentResource>& r, const PageLinks& l, const RenderOptions& o) { return render(r, l, o); }
std::string renderCollection(const std::vector<MetricResource>& r, const PageLinks& l, const RenderOptions& o) { return render(r, l, o); }

template <typename Resource>
Expected<CollectionPage<Resource>, std::string> parseCollection(std::string_view body) {
  const auto document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return unexpected(std::string("the body is not JSON"));
  if (!document.is_object()) return unexpected(std::string("the body is not a JSON:API document (not an object)"));
  const auto data = document.find("data");
  if (data == document.end() || !data->is_array()) return unexpected(std::string("the document has no data array"));
  CollectionPage<Resource> page;
  page.resources.reserve(data->size());
  for (std::size_t i = 0; i < data->size(); ++i) {
    const auto& item = (*data)[i];
    const std::string where = "data[" + std::to_string(i) + "]";
    if (!item.is_object()) return unexpected(where + " is not a resource object");
    const auto type = item.find("type");
    if (type == item.end() || !type->is_string() || type->get_ref<const std::string&>() != typeOf<Resource>()) {
      return unexpected(where + ".type is not '" + std::string(typeOf<Resource>()) + "'");
    }
    const auto id = item.find("id");
    if (id == item.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return unexpected(where + ".id is missing or not a non-empty string");
    }
    const auto attributes = item.find("attributes");
    if (attributes == item.end() || !attributes->is_object()) return unexpected(where + ".attributes is missing or not an object");
    Resource resource;
    resource.id = id->get<std::string>();
    AttributeReader reader(*attributes, i);
    read(reader, resource);
    if (reader.error()) return unexpected(*reader.error());
    page.resources.push_back(std::move(resource));
  }
  if (const auto links = document.find("links"); links != document.end() && links->is_object()) {
    const auto next = links->find("next");
    if (next != links->end() && !next->is_null()) {
      if (!next->is_string()) return unexpected(std::string("links.next is not a URL"));
      page.nextLink = next->get<std::string>();
    }
  }
  return page;
}

template Expected<CollectionPage<CampaignResource>, std::string> parseCollection(std::string_view);
template Expected<CollectionPage<FlowResource>, std::string> parseCollection(std::string_view);
template Expected<CollectionPage<FormResource>, std::string> parseCollection(std::string_view);
template Expected<CollectionPage<SegmentResource>, std::string> parseCollection(std::string_view);
template Expected<CollectionPage<MetricResource>, std::string> parseCollection(std::string_view);

}  // namespace livedata::server::klaviyo
