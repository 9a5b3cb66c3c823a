#include "tools/loadgen/timeline_svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::loadgen {
namespace {

constexpr double kWidth = 900, kPanelHeight = 170, kLeft = 70, kRight = 20, kTop = 40, kGap = 40;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kPanelHeight - kGap;

struct Point {
  double t = 0, v = 0;
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A "nice" axis maximum >= v: 1, 2 or 5 times a power of ten.
double NiceMax(double v) {
  if (!(v > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

std::string Polyline(const std::vector<Point>& points, double t_max, double y_max, double top,
                     const char* css_class, const char* color, bool dashed) {
  std::string s = absl::StrCat("<polyline class=\"", css_class, "\" fill=\"none\" stroke=\"", color,
                               "\" stroke-width=\"1.5\"", dashed ? " stroke-dasharray=\"6 4\"" : "",
                               " points=\"");
  for (const Point& p : points) {
    const double x = kLeft + kPlotWidth * std::clamp(p.t / t_max, 0.0, 1.0);
    const double y = top + kPlotHeight * (1 - std::clamp(p.v / y_max, 0.0, 1.0));
    absl::StrAppendFormat(&s, "%.1f,%.1f ", x, y);
  }
  if (!points.empty()) s.pop_back();
  absl::StrAppend(&s, "\"/>\n");
  return s;
}

// One panel: frame, title, axis labels, the series and optionally a reference line.
std::string Panel(int index, const std::string& title, const std::vector<Point>& series,
                  const std::vector<Point>& reference, double t_max, const char* color) {
  const double top = kTop + index * kPanelHeight;
  double v_max = 0;
  for (const Point& p : series) v_max = std::max(v_max, p.v);
  for (const Point& p : reference) v_max = std::max(v_max, p.v);
  const double y_max = NiceMax(v_max * 1.05);
  std::string s = absl::StrFormat("<g class=\"panel\" id=\"panel-%d\">\n", index);
  absl::StrAppendFormat(
      &s,
      "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" "
      "stroke=\"#999\"/>\n",
      kLeft, top, kPlotWidth, kPlotHeight);
  absl::StrAppendFormat(&s,
                        "<text class=\"title\" x=\"%.0f\" y=\"%.0f\" font-size=\"13\">%s</text>\n",
                        kLeft, top - 6, Escape(title));
  absl::StrAppendFormat(&s,
                        "<text class=\"ymax\" x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
                        "text-anchor=\"end\">%g</text>\n",
                        kLeft - 4, top + 10, y_max);
  absl::StrAppendFormat(&s,
                        "<text class=\"ymin\" x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
                        "text-anchor=\"end\">0</text>\n",
                        kLeft - 4, top + kPlotHeight);
  absl::StrAppendFormat(&s,
                        "<text class=\"xmax\" x=\"%.0f\" y=\"%.0f\" font-size=\"11\" "
                        "text-anchor=\"end\">%.1f s</text>\n",
                        kLeft + kPlotWidth, top + kPlotHeight + 14, t_max);
  if (!reference.empty()) {
    absl::StrAppend(&s, Polyline(reference, t_max, y_max, top, "reference", "#c33", true));
  }
  absl::StrAppend(&s, Polyline(series, t_max, y_max, top, "series", color, false));
  absl::StrAppend(&s, "</g>\n");
  return s;
}

}  // namespace

std::string TimelineSvg(const TimelineChart& chart) {
  const std::vector<TimelineSample>& samples = chart.samples;
  double t_max = samples.empty() ? 1 : samples.back().t_seconds;
  for (double c : chart.workflow_completed_seconds) t_max = std::max(t_max, c);
  if (!(t_max > 0)) t_max = 1;

  // Rates per interval between consecutive samples.
  std::vector<Point> creates, throttled, depth, limit, completed;
  for (size_t i = 1; i < samples.size(); ++i) {
    const TimelineSample& a = samples[i - 1];
    const TimelineSample& b = samples[i];
    const double dt = b.t_seconds - a.t_seconds;
    if (!(dt > 0)) continue;
    const double mid = b.t_seconds;
    const bool kube = a.kube_creates >= 0 && b.kube_creates >= 0;
    const double made = kube ? static_cast<double>(b.kube_creates - a.kube_creates)
                             : static_cast<double>(b.created) - static_cast<double>(a.created);
    creates.push_back({mid, std::max(0.0, made / dt)});
    if (a.kube_429 >= 0 && b.kube_429 >= 0) {
      throttled.push_back({mid, static_cast<double>(b.kube_429 - a.kube_429) / dt});
    }
  }
  for (const TimelineSample& s : samples) {
    if (s.queue_depth >= 0) depth.push_back({s.t_seconds, static_cast<double>(s.queue_depth)});
  }
  if (!chart.limit_steps.empty()) {
    for (size_t i = 0; i < chart.limit_steps.size(); ++i) {
      const LimitStep& step = chart.limit_steps[i];
      const double end =
          i + 1 < chart.limit_steps.size() ? chart.limit_steps[i + 1].at_seconds : t_max;
      limit.push_back({step.at_seconds, step.qps});
      limit.push_back({end, step.qps});
    }
  } else if (chart.fixed_limit_qps > 0) {
    limit = {{0, chart.fixed_limit_qps}, {t_max, chart.fixed_limit_qps}};
  }
  std::vector<double> done;
  for (double c : chart.workflow_completed_seconds) {
    if (c >= 0) done.push_back(c);
  }
  std::sort(done.begin(), done.end());
  completed.push_back({0, 0});
  for (size_t i = 0; i < done.size(); ++i) {
    completed.push_back({done[i], static_cast<double>(i)});
    completed.push_back({done[i], static_cast<double>(i + 1)});
  }
  completed.push_back({t_max, static_cast<double>(done.size())});

  const double height = kTop + 4 * kPanelHeight;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
      kWidth, height, kWidth, height);
  absl::StrAppendFormat(&svg, "<title>%s</title>\n", Escape(chart.title));
  absl::StrAppend(&svg, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  absl::StrAppendFormat(
      &svg, "<text x=\"%.0f\" y=\"18\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", kLeft,
      Escape(chart.title));
  absl::StrAppend(
      &svg, Panel(0, "creates/s (dashed: kubesim's limit)", creates, limit, t_max, "#1f77b4"));
  absl::StrAppend(&svg, Panel(1, "sluiced queue depth (intents)", depth, {}, t_max, "#2ca02c"));
  absl::StrAppend(&svg, Panel(2, "429 answers/s", throttled, {}, t_max, "#d62728"));
  absl::StrAppend(&svg, Panel(3,
                              absl::StrCat("completed workflows (of ",
                                           chart.workflow_completed_seconds.size(), ")"),
                              completed, {}, t_max, "#9467bd"));
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

}  // namespace sluice::loadgen
