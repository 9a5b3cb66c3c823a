#include "tools/kubesim/label_selector.h"

#include <cctype>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

enum class Tok {
  kEnd,
  kIdent,
  kOpenParen,
  kCloseParen,
  kComma,
  kNot,
  kEquals,
  kDoubleEquals,
  kNotEquals,
  kGreater,
  kLess,
  kIn,
  kNotIn
};

struct Token {
  Tok type;
  std::string_view text;
};

bool IsSpecial(char c) {
  return c == '(' || c == ')' || c == ',' || c == '!' || c == '=' || c == '<' || c == '>';
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  Token Next() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
    if (pos_ >= s_.size()) return {Tok::kEnd, {}};
    const size_t start = pos_;
    const char c = s_[pos_];
    if (IsSpecial(c)) {
      ++pos_;
      switch (c) {
        case '(':
          return {Tok::kOpenParen, s_.substr(start, 1)};
        case ')':
          return {Tok::kCloseParen, s_.substr(start, 1)};
        case ',':
          return {Tok::kComma, s_.substr(start, 1)};
        case '<':
          return {Tok::kLess, s_.substr(start, 1)};
        case '>':
          return {Tok::kGreater, s_.substr(start, 1)};
        case '=':
          if (pos_ < s_.size() && s_[pos_] == '=') {
            ++pos_;
            return {Tok::kDoubleEquals, s_.substr(start, 2)};
          }
          return {Tok::kEquals, s_.substr(start, 1)};
        default:  // '!'
          if (pos_ < s_.size() && s_[pos_] == '=') {
            ++pos_;
            return {Tok::kNotEquals, s_.substr(start, 2)};
          }
          return {Tok::kNot, s_.substr(start, 1)};
      }
    }
    while (pos_ < s_.size() && !IsSpace(s_[pos_]) && !IsSpecial(s_[pos_])) ++pos_;
    std::string_view word = s_.substr(start, pos_ - start);
    if (word == "in") return {Tok::kIn, word};
    if (word == "notin") return {Tok::kNotIn, word};
    return {Tok::kIdent, word};
  }
  Token Peek() {
    const size_t saved = pos_;
    Token t = Next();
    pos_ = saved;
    return t;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Label values: empty, or <= 63 chars of [A-Za-z0-9_.-] starting and ending
// alphanumeric.
bool ValidLabelValue(std::string_view v) {
  if (v.empty()) return true;
  if (v.size() > 63 || !IsAlnum(v.front()) || !IsAlnum(v.back())) return false;
  for (char c : v) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// Keys: [prefix/]name; name like a label value but non-empty.
bool ValidLabelKey(std::string_view k) {
  const size_t slash = k.rfind('/');
  std::string_view name = slash == std::string_view::npos ? k : k.substr(slash + 1);
  if (slash != std::string_view::npos) {
    std::string_view prefix = k.substr(0, slash);
    if (prefix.empty() || prefix.size() > 253) return false;
    for (char c : prefix) {
      if (!IsAlnum(c) && c != '-' && c != '.') return false;
    }
  }
  return !name.empty() && ValidLabelValue(name);
}

absl::Status ParseError(std::string_view found, std::string_view expected) {
  return absl::InvalidArgumentError(
      Cat("unable to parse requirement: found '", found, "', expected: ", expected));
}

}  // namespace

absl::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector sel;
  Lexer lex(text);
  if (lex.Peek().type == Tok::kEnd) return sel;
  while (true) {
    Requirement req;
    Token t = lex.Next();
    bool negated = false;
    if (t.type == Tok::kNot) {
      negated = true;
      t = lex.Next();
    }
    if (t.type != Tok::kIdent) return ParseError(t.text, "identifier");
    req.key = std::string(t.text);
    if (!ValidLabelKey(req.key)) {
      return absl::InvalidArgumentError(
          Cat("unable to parse requirement: invalid label key \"", req.key, "\""));
    }
    Token op = lex.Peek();
    if (negated) {
      req.op = Op::kDoesNotExist;
    } else if (op.type == Tok::kComma || op.type == Tok::kEnd) {
      req.op = Op::kExists;
    } else {
      lex.Next();
      switch (op.type) {
        case Tok::kEquals:
        case Tok::kDoubleEquals:
        case Tok::kNotEquals:
        case Tok::kGreater:
        case Tok::kLess: {
          req.op = op.type == Tok::kNotEquals ? Op::kNotEquals
                   : op.type == Tok::kGreater ? Op::kGreaterThan
                   : op.type == Tok::kLess    ? Op::kLessThan
                                              : Op::kEquals;
          Token v = lex.Peek();
          std::string value;
          if (v.type == Tok::kIdent) {
            lex.Next();
            value = std::string(v.text);
          } else if (v.type != Tok::kComma && v.type != Tok::kEnd) {
            return ParseError(v.text, "identifier");
          }
          if (req.op == Op::kGreaterThan || req.op == Op::kLessThan) {
            int64_t n;
            if (!absl::SimpleAtoi(value, &n)) {
              return absl::InvalidArgumentError(
                  Cat("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an "
                      "integer"));
            }
          } else if (!ValidLabelValue(value)) {
            return absl::InvalidArgumentError(
                Cat("unable to parse requirement: invalid label value: \"", value, "\""));
          }
          req.values.push_back(std::move(value));
          break;
        }
        case Tok::kIn:
        case Tok::kNotIn: {
          req.op = op.type == Tok::kIn ? Op::kIn : Op::kNotIn;
          Token open = lex.Next();
          if (open.type != Tok::kOpenParen) return ParseError(open.text, "'('");
          while (true) {
            Token v = lex.Next();
            if (v.type == Tok::kIdent) {
              if (!ValidLabelValue(v.text)) {
                return absl::InvalidArgumentError(
                    Cat("unable to parse requirement: invalid label value: \"", v.text, "\""));
              }
              req.values.emplace_back(v.text);
              v = lex.Next();
            } else {
              req.values.emplace_back();  // "a,,b" or "(,a)" carry empty values
            }
            if (v.type == Tok::kCloseParen) break;
            if (v.type != Tok::kComma) return ParseError(v.text, "',' or ')'");
          }
          break;
        }
        default:
          return ParseError(op.text, "'=', '!=', '==', 'in', notin'");
      }
    }
    sel.requirements_.push_back(std::move(req));
    Token sep = lex.Next();
    if (sep.type == Tok::kEnd) break;
    if (sep.type != Tok::kComma) return ParseError(sep.text, "','");
  }
  return sel;
}

bool LabelSelector::MatchesOne(const Requirement& r, const StringMap& labels) {
  const std::string* value = FindValue(labels, r.key);
  switch (r.op) {
    case Op::kExists:
      return value != nullptr;
    case Op::kDoesNotExist:
      return value == nullptr;
    case Op::kEquals:
    case Op::kIn:
      if (value == nullptr) return false;
      for (const std::string& v : r.values) {
        if (v == *value) return true;
      }
      return false;
    case Op::kNotEquals:
    case Op::kNotIn:
      if (value == nullptr) return true;
      for (const std::string& v : r.values) {
        if (v == *value) return false;
      }
      return true;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      if (value == nullptr) return false;
      int64_t have, want;
      if (!absl::SimpleAtoi(*value, &have) || !absl::SimpleAtoi(r.values[0], &want)) return false;
      return r.op == Op::kGreaterThan ? have > want : have < want;
    }
  }
  return false;
}

bool LabelSelector::Matches(const StringMap& labels) const {
  for (const Requirement& r : requirements_) {
    if (!MatchesOne(r, labels)) return false;
  }
  return true;
}

}  // namespace sluice::kubesim
