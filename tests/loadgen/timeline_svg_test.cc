#include "tools/loadgen/timeline_svg.h"

#include <regex>
#include <string>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

int Count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TimelineChart Chart() {
  TimelineChart c;
  c.title = "fanout <test> & more";
  for (int i = 0; i <= 4; ++i) {
    TimelineSample s;
    s.t_seconds = i * 0.5;
    s.created = static_cast<uint64_t>(i * 100);
    s.kube_creates = i * 100;
    s.kube_429 = i;
    s.queue_depth = 1000 - i * 100;
    c.samples.push_back(s);
  }
  c.limit_steps = {{0, 200}, {1, 300}};
  c.workflow_completed_seconds = {0.7, 1.9, -1};
  return c;
}

TEST(TimelineSvgTest, OneDocumentFourPanelsEachWithASeries) {
  const std::string svg = TimelineSvg(Chart());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(Count(svg, "<svg"), 1);
  EXPECT_EQ(Count(svg, "<g class=\"panel\""), 4);
  EXPECT_EQ(Count(svg, "</g>"), 4);
  EXPECT_EQ(Count(svg, "<polyline class=\"series\""), 4);
  // The limit is drawn once, dashed, on the creates panel.
  EXPECT_EQ(Count(svg, "<polyline class=\"reference\""), 1);
  EXPECT_NE(svg.find("creates/s"), std::string::npos);
  EXPECT_NE(svg.find("queue depth"), std::string::npos);
  EXPECT_NE(svg.find("429"), std::string::npos);
  EXPECT_NE(svg.find("completed workflows (of 3)"), std::string::npos);
  // No scripts, no external references.
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
}

TEST(TimelineSvgTest, TitleIsEscaped) {
  const std::string svg = TimelineSvg(Chart());
  EXPECT_NE(svg.find("fanout &lt;test&gt; &amp; more"), std::string::npos);
  EXPECT_EQ(svg.find("<test>"), std::string::npos);
}

TEST(TimelineSvgTest, PointsAreInsideTheirPanel) {
  const std::string svg = TimelineSvg(Chart());
  std::regex points("points=\"([^\"]*)\"");
  std::regex pair("(-?[0-9.]+),(-?[0-9.]+)");
  int series = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), points); it != std::sregex_iterator();
       ++it) {
    ++series;
    const std::string list = (*it)[1];
    int n = 0;
    for (auto p = std::sregex_iterator(list.begin(), list.end(), pair); p != std::sregex_iterator();
         ++p, ++n) {
      const double x = std::stod((*p)[1]), y = std::stod((*p)[2]);
      EXPECT_GE(x, 70);
      EXPECT_LE(x, 880);
      EXPECT_GE(y, 40);
      EXPECT_LE(y, 720);
    }
    EXPECT_GT(n, 1);
  }
  EXPECT_EQ(series, 5);
}

TEST(TimelineSvgTest, EmptyTimelineIsStillAValidDocument) {
  const std::string svg = TimelineSvg(TimelineChart{});
  EXPECT_EQ(Count(svg, "<g class=\"panel\""), 4);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

}  // namespace
}  // namespace sluice::loadgen
