// Klaviyo's filter syntax: what the simulated upstream reads and the sync writes.
#include "klaviyo/filter_expression.h"

#include <gtest/gtest.h>

#include "klaviyo/iso_datetime.h"

namespace livedata::server::klaviyo {
namespace {

FilterExpression parsed(std::string_view text) {
  auto result = parseFilter(text);
  EXPECT_TRUE(result) << text << ": " << (result ? "" : result.error().message);
  return result ? result.value() : FilterExpression{};
}

TEST(FilterExpression, ReadsAConditionOnAnUpdateField) {
  const auto filter = parsed("greater-or-equal(updated_at,2026-11-01T00:00:00Z)");
  ASSERT_EQ(filter.conditions.size(), 1u);
  const FilterCondition& condition = filter.conditions[0];
  EXPECT_EQ(condition.op, "greater-or-equal");
  EXPECT_EQ(condition.field, "updated_at");
  ASSERT_EQ(condition.values.size(), 1u);
  EXPECT_EQ(condition.values[0].kind, FilterValue::Kind::datetime);
  EXPECT_EQ(condition.values[0].time, *parseDateTime("2026-11-01T00:00:00Z"));
  EXPECT_FALSE(condition.isList);
}

TEST(FilterExpression, FlattensNestedAndAndReadsEveryKindOfValue) {
  const auto filter = parsed(
      "and(equals(messages.channel,'email'),and(any(id,[\"a\",'b']),equals(archived,false)),greater-than(updated,2026-11-01),"
      "equals(count,-1.5e3),equals(definition,null))");
  ASSERT_EQ(filter.conditions.size(), 6u);
  EXPECT_EQ(filter.conditions[0].field, "messages.channel");
  EXPECT_EQ(filter.conditions[0].values[0].text, "email");
  EXPECT_TRUE(filter.conditions[1].isList);
  EXPECT_EQ(filter.conditions[1].values.size(), 2u);
  EXPECT_EQ(filter.conditions[2].values[0].kind, FilterValue::Kind::boolean);
  EXPECT_EQ(filter.conditions[3].values[0].time, *parseDateTime("2026-11-01T00:00:00Z"));  // a date is its midnight
  EXPECT_EQ(parsed("less-than(datetime,2026-11-01T06:00:00)").conditions[0].values[0].time,
            *parseDateTime("2026-11-01T06:00:00Z"));  // no offset: UTC, as the metric aggregates write it
  EXPECT_EQ(filter.conditions[4].values[0].kind, FilterValue::Kind::number);
  EXPECT_EQ(filter.conditions[4].values[0].text, "-1.5e3");
  EXPECT_EQ(filter.conditions[5].values[0].kind, FilterValue::Kind::null);
}

TEST(FilterExpression, EveryOperatorOfTheDocumentsIsRead) {
  for (const char* op : {"equals", "greater-than", "greater-or-equal", "less-than", "less-or-equal", "any", "contains",
                         "contains-any", "contains-all", "starts-with", "ends-with"}) {
    const auto filter = parsed(std::string(op) + "(name,'x')");
    ASSERT_EQ(filter.conditions.size(), 1u);
    EXPECT_EQ(filter.conditions[0].op, op);
  }
}

TEST(FilterExpression, PrintsCanonicallyAndReadsBackWhatItPrints) {
  EXPECT_EQ(printFilter(parsed("and( equals(messages.channel,\"email\") , greater-than(updated,2026-11-01T02:00:00+02:00))")),
            "and(equals(messages.channel,'email'),greater-than(updated,2026-11-01T00:00:00Z))");
  for (const char* text : {"equals(name,'it\\'s \\\\ here')", "any(id,['a','b','c'])", "any(id,[])",
                           "and(equals(a,1),equals(b,true),equals(c,null))"}) {
    const auto first = parsed(text);
    const std::string printed = printFilter(first);
    const auto again = parsed(printed);
    EXPECT_EQ(again.conditions, first.conditions) << text << " -> " << printed;
    EXPECT_EQ(printFilter(again), printed);
  }
  EXPECT_EQ(parsed("equals(name,'it\\'s')").conditions[0].values[0].text, "it's");
}

TEST(FilterExpression, RefusalsSayWhereAndWhat) {
  struct Case {
    std::string text;
    std::size_t offset;
    std::string words;
  };
  const std::vector<Case> cases{
      {"", 0, "empty"},
      {"or(equals(a,1),equals(b,2))", 0, "and(...) only"},
      {"not(equals(a,1))", 0, "and(...) only"},
      {"and()", 4, "operator"},
      {"lookalike(a,1)", 0, "unknown operator"},
      {"equals(a,'open", 9, "not closed"},
      {"equals(a,yesterday)", 9, "not a value"},
      {"equals(a,1", 10, "')'"},
      {"equals(,1)", 7, "field"},
      {"equals(a,1) junk", 12, "after the filter"},
      {"equals(a,[1,2)", 13, "']'"},
  };
  for (const Case& c : cases) {
    const auto result = parseFilter(c.text);
    ASSERT_FALSE(result) << c.text;
    EXPECT_EQ(result.error().offset, c.offset) << c.text << ": " << result.error().message;
    EXPECT_NE(result.error().message.find(c.words), std::string::npos) << c.text << ": " << result.error().message;
  }
}

TEST(FilterExpression, OutsideInputIsBounded) {
  std::string deep;
  for (int i = 0; i < 17; ++i) deep += "and(";
  deep += "equals(a,1)";
  for (int i = 0; i < 17; ++i) deep += ")";
  const auto tooDeep = parseFilter(deep);
  ASSERT_FALSE(tooDeep);
  EXPECT_NE(tooDeep.error().message.find("16 levels"), std::string::npos);
  const auto tooLong = parseFilter("equals(a,'" + std::string(5000, 'x') + "')");
  ASSERT_FALSE(tooLong);
  EXPECT_NE(tooLong.error().message.find("4096"), std::string::npos);
  std::string list = "any(id,[";
  for (int i = 0; i < 101; ++i) list += (i ? ",'" : "'") + std::to_string(i) + "'";
  const auto tooMany = parseFilter(list + "])");
  ASSERT_FALSE(tooMany);
  EXPECT_NE(tooMany.error().message.find("100 items"), std::string::npos);
}

}  // namespace
}  // namespace livedata::server::klaviyo
