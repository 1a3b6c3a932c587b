// XML in and out of the S3 API, on pugixml: a small builder for response
// documents, and parsing of request documents with S3's MalformedXML rules.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace pugi {
class xml_document;
class xml_node;
}  // namespace pugi

namespace nimbus::s3 {

class XmlNode {
 public:
  explicit XmlNode(pugi::xml_node* node);
  ~XmlNode();
  XmlNode(XmlNode&&) noexcept;
  XmlNode child(std::string_view name);
  XmlNode& text(std::string_view name, std::string_view value);  // appends <name>value</name>
  void set_text(std::string_view value);

 private:
  std::unique_ptr<pugi::xml_node> node_;
};

class XmlDocument {
 public:
  // S3 responses carry the 2006-03-01 namespace; error documents do not.
  XmlDocument(std::string_view root_name, bool with_namespace = true);
  ~XmlDocument();
  XmlNode& root() { return *root_; }
  std::string str() const;

 private:
  std::unique_ptr<pugi::xml_document> doc_;
  std::unique_ptr<XmlNode> root_;
};

// Parses a request body; kMalformed when it is not well-formed XML.
base::Result<std::shared_ptr<pugi::xml_document>> parse_xml(std::string_view body);

}  // namespace nimbus::s3
