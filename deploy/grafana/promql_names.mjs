// The metric names a PromQL expression selects, for checking a dashboard's
// queries against what perch-server exports. A lexer, not a parser: it is
// meant for expressions Prometheus's own parser has accepted (the dashboard
// test runs `promtool check rules` on them first), and it only has to tell
// metric names from everything else an identifier can be: functions,
// aggregation operators, keywords, label names in by/without/on/ignoring/
// group_* lists, and anything inside strings, label matchers and ranges.

const kLabelListKeywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const kOtherKeywords = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan"]);
// Aggregation operators may be followed by `by (...)` before their
// parenthesis (`sum by (code) (x)`), so they are known by name.
const kAggregations = new Set([
  "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
  "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio",
]);

const isIdentStart = (c) => /[a-zA-Z_:]/.test(c);
const isIdentPart = (c) => /[a-zA-Z0-9_:]/.test(c);

// Index just past the string literal opening at `i` ("...", '...' with
// backslash escapes; `...` raw).
function skipString(expr, i) {
  const quote = expr[i];
  for (let j = i + 1; j < expr.length; j++) {
    if (quote !== "`" && expr[j] === "\\") {
      j++;
    } else if (expr[j] === quote) {
      return j + 1;
    }
  }
  throw new Error(`unterminated string in: ${expr}`);
}

// Index just past the bracket closing the one at `i`, skipping strings.
function skipBracketed(expr, i, open, close) {
  let depth = 0;
  for (let j = i; j < expr.length; ) {
    const c = expr[j];
    if (c === '"' || c === "'" || c === "`") {
      j = skipString(expr, j);
      continue;
    }
    if (c === open) depth++;
    if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unbalanced ${open}${close} in: ${expr}`);
}

// Metric names in a label matcher block `{...}`: only `__name__="x"` names
// one; a __name__ matched any other way cannot be checked, so it is refused.
function namesInMatchers(block, expr) {
  const names = [];
  const re = /__name__\s*(=~|!=|!~|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/g;
  let m;
  while ((m = re.exec(block)) !== null) {
    if (m[1] !== "=") throw new Error(`__name__${m[1]} cannot be checked: ${expr}`);
    names.push(JSON.parse(m[2].startsWith("'") ? `"${m[2].slice(1, -1)}"` : m[2]));
  }
  return names;
}

// The set of metric names `expr` selects.
export function metricNames(expr) {
  const names = new Set();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(expr, i);
    } else if (c === "#") {
      const end = expr.indexOf("\n", i);
      i = end < 0 ? expr.length : end;
    } else if (c === "{") {
      const end = skipBracketed(expr, i, "{", "}");
      for (const n of namesInMatchers(expr.slice(i, end), expr)) names.add(n);
      i = end;
    } else if (c === "[") {
      i = skipBracketed(expr, i, "[", "]");
    } else if (/[0-9.]/.test(c)) {
      // Numbers and durations: 0.99, 1e3, 0x1f, 5m, 1h30m.
      i++;
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i])) i++;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < expr.length && isIdentPart(expr[j])) j++;
      const ident = expr.slice(i, j);
      const lower = ident.toLowerCase();
      let k = j;
      while (k < expr.length && /\s/.test(expr[k])) k++;
      if (kLabelListKeywords.has(lower)) {
        // group_left and group_right may stand without a list.
        if (expr[k] === "(") j = skipBracketed(expr, k, "(", ")");
      } else if (kOtherKeywords.has(lower) || kAggregations.has(ident) || expr[k] === "(") {
        // a keyword, an aggregation, or a function call
      } else {
        names.add(ident);
      }
      i = j;
    } else {
      i++;
    }
  }
  return names;
}
