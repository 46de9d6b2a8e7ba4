#include "zoho/cache_codec.hpp"

#include <boost/json.hpp>

#include "zoho/mapping.hpp"

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

json::object attachment_object(const Attachment& a) {
    json::object o{{"id", a.id},
                   {"name", a.name},
                   {"size", a.size},
                   {"href", a.href},
                   {"isPublic", a.is_public}};
    if (a.content_type) {
        o["contentType"] = *a.content_type;
    }
    if (a.created) {
        o["createdTime"] = a.created->time_since_epoch().count() * 1000;
    }
    return o;
}

core::Result<json::value> parse(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) {
        return core::Error::internal("corrupt Zoho cache entry", ec.message());
    }
    return v;
}

}  // namespace

std::string encode_thread(const Thread& t) {
    json::array files;
    for (const auto& a : t.attachments) {
        files.push_back(attachment_object(a));
    }
    return json::serialize(
        json::object{{"id", t.id},
                     {"createdTime", t.created_ms},
                     {"channel", t.channel},
                     {"direction", t.direction},
                     {"author", json::object{{"name", t.author_name}, {"email", t.author_email}}},
                     {"summary", t.summary},
                     {"content", t.content},
                     {"visibility", t.visibility},
                     {"status", t.status},
                     {"hasAttach", t.has_attach},
                     {"attachmentCount", t.attachment_count},
                     {"attachments", std::move(files)}});
}

core::Result<Thread> decode_thread(std::string_view text) {
    auto v = parse(text);
    if (!v) {
        return std::move(v).error();
    }
    return parse_thread(*v);
}

std::string encode_attachments(const std::vector<Attachment>& list) {
    json::array out;
    for (const auto& a : list) {
        json::object o = attachment_object(a);
        if (!a.thread_id.empty()) {
            o["threadId"] = a.thread_id;
        }
        out.push_back(std::move(o));
    }
    return json::serialize(out);
}

core::Result<std::vector<Attachment>> decode_attachments(std::string_view text) {
    auto v = parse(text);
    if (!v) {
        return std::move(v).error();
    }
    if (!v->is_array()) {
        return core::Error::internal("corrupt Zoho cache entry", "attachments is not an array");
    }
    std::vector<Attachment> out;
    for (const auto& item : v->get_array()) {
        auto a = parse_attachment(item);
        if (!a) {
            return std::move(a).error();
        }
        if (const auto* tid = item.as_object().if_contains("threadId"); tid && tid->is_string()) {
            a->thread_id = std::string(tid->get_string());
        }
        out.push_back(std::move(*a));
    }
    return out;
}

}  // namespace deskbridge::zoho
