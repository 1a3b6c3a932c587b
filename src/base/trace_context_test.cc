#include "base/trace_context.h"

#include <gtest/gtest.h>

namespace nimbus::base {
namespace {

TEST(TraceContext, ReadsXRayHeaders) {
  auto t = parse_trace_context("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  ASSERT_TRUE(t.valid());
  EXPECT_EQ(t.root, "1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(t.parent, "53995c3f42cd8ad8");
  EXPECT_TRUE(t.sampled);
  EXPECT_EQ(t.header(), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_EQ(t.w3c_trace_id(), "5759e988bd862e3fe1be46a994272793");
  auto lambda = parse_trace_context("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0;Lineage=a87bd80c:0");
  EXPECT_TRUE(lambda.valid());
  EXPECT_TRUE(lambda.parent.empty());
  EXPECT_FALSE(lambda.sampled);
  EXPECT_FALSE(parse_trace_context("Root=nonsense").valid());
  EXPECT_FALSE(parse_trace_context("").valid());
}

TEST(TraceContext, ReadsW3CTraceparentWhenThereIsNoXRayHeader) {
  auto t = parse_trace_context("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.valid());
  EXPECT_EQ(t.root, "1-4bf92f35-77b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t.parent, "00f067aa0ba902b7");
  EXPECT_EQ(t.w3c_trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(parse_trace_context("", "00-00000000000000000000000000000000-00f067aa0ba902b7-01").valid());
  EXPECT_FALSE(parse_trace_context("", "garbage").valid());
  // X-Ray's header wins when both are sent.
  EXPECT_EQ(parse_trace_context("Root=1-5759e988-bd862e3fe1be46a994272793",
                                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").root,
            "1-5759e988-bd862e3fe1be46a994272793");
}

TEST(TraceContext, NewOnes) {
  auto t = new_trace();
  EXPECT_TRUE(parse_trace_context(t.header()).valid());
  EXPECT_EQ(new_span_id().size(), 16u);
  EXPECT_NE(new_span_id(), new_span_id());
}

}  // namespace
}  // namespace nimbus::base
