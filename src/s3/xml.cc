#include "s3/xml.h"

#include "base/encoding.h"

#include <pugixml.hpp>
#include <sstream>

namespace nimbus::s3 {

XmlNode::XmlNode(pugi::xml_node* node) : node_(std::make_unique<pugi::xml_node>(*node)) {}
XmlNode::~XmlNode() = default;
XmlNode::XmlNode(XmlNode&&) noexcept = default;

XmlNode XmlNode::child(std::string_view name) {
  pugi::xml_node n = node_->append_child(std::string(name).c_str());
  return XmlNode(&n);
}

namespace {

// Text XML 1.0 can carry: control characters (but tab, LF, CR) and bytes
// that are not UTF-8 become U+FFFD, so that no answer is ever unparseable
// (an error echoing a refused key, a key stored before keys were checked).
std::string xml_text(std::string_view value) {
  bool utf8 = base::is_valid_utf8(value);
  bool clean = utf8;
  for (unsigned char ch : value) clean = clean && (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r');
  if (clean) return std::string(value);
  std::string out;
  for (unsigned char ch : value) {
    bool bad = (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || (!utf8 && ch >= 0x80);
    if (bad) out += "\xEF\xBF\xBD";
    else out.push_back(static_cast<char>(ch));
  }
  return out;
}

}  // namespace

XmlNode& XmlNode::text(std::string_view name, std::string_view value) {
  pugi::xml_node n = node_->append_child(std::string(name).c_str());
  n.text().set(xml_text(value).c_str());
  return *this;
}

void XmlNode::set_text(std::string_view value) { node_->text().set(xml_text(value).c_str()); }

XmlDocument::XmlDocument(std::string_view root_name, bool with_namespace)
    : doc_(std::make_unique<pugi::xml_document>()) {
  auto decl = doc_->append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc_->append_child(std::string(root_name).c_str());
  if (with_namespace) root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  root_ = std::make_unique<XmlNode>(&root);
}

XmlDocument::~XmlDocument() = default;

std::string XmlDocument::str() const {
  std::ostringstream out;
  doc_->save(out, "", pugi::format_raw);
  return out.str();
}

base::Result<std::shared_ptr<pugi::xml_document>> parse_xml(std::string_view body) {
  auto doc = std::make_shared<pugi::xml_document>();
  // parse_ws_pcdata_single keeps text that is only whitespace when it is an
  // element's only content: <Key> </Key> names the key " " (dropping it
  // reported a key Deleted that stayed), while indentation between elements
  // is still not text.
  auto res = doc->load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata_single,
                              pugi::encoding_utf8);
  if (!res || !doc->document_element())
    return base::make_error(base::ErrorCode::kMalformed,
                            "The XML you provided was not well-formed or did not validate against our published schema");
  return doc;
}

}  // namespace nimbus::s3
