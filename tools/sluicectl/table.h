#ifndef SLUICE_TOOLS_SLUICECTL_TABLE_H_
#define SLUICE_TOOLS_SLUICECTL_TABLE_H_

#include <string>
#include <vector>

namespace sluice::ctl {

// Rows of text in left-aligned columns, two spaces apart, under an upper-case
// header, as kubectl prints them. Widths count UTF-8 code points.
//
// Example:
//   Table t({"POOL", "STATE"});
//   t.AddRow({"spot-a", "Available"});
//   std::fputs(t.Render().c_str(), stdout);
//   // POOL    STATE
//   // spot-a  Available
class Table {
 public:
  explicit Table(std::vector<std::string> header);

  // A row; missing trailing cells are blank, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // Header and rows, one line each ending in '\n', without trailing blanks.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// The number of code points in a UTF-8 string (its width in a terminal for
// the scripts sluicectl prints).
size_t DisplayWidth(const std::string& text);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_TABLE_H_
