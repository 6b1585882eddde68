#!/usr/bin/env python3
"""Check that every metric name used by the alert rules and the Grafana dashboard is exported.

Usage:
    python3 ops/check_metric_names.py EXPORTED [EXPORTED ...]
    curl -s http://127.0.0.1:3000/metrics | python3 ops/check_metric_names.py -
    python3 ops/check_metric_names.py --list          # print the names the files use

EXPORTED is a file ("-" for stdin) of the names muxd exports, in either form:
  * one name per line. A bare name N also allows N_bucket, N_sum and N_count, since a histogram
    is listed by its base name;
  * Prometheus text exposition, what GET /metrics returns. Names come from the sample lines as
    they are, and from "# TYPE N histogram" (N_bucket, N_sum, N_count) and "# TYPE N summary"
    (N, N_sum, N_count). No suffix is implied here, so a histogram that is rendered as a summary
    (no _bucket series) is reported.
Several files are merged. Blank lines and other "#" lines are ignored.

What is checked: every `expr:` of the rules file (default: prometheus/muxd-alerts.yml next to
this script; plain or block-scalar values) and, in the dashboard (default:
grafana/muxd-dashboard.json), every "expr" string and the queries of "query" variables
(label_values(METRIC, LABEL) counts as METRIC). Names are found without a full PromQL parser:
strings, {label matchers}, [ranges], by/without/on/ignoring/group_left/group_right (...) lists
and $variables are removed, then every identifier that is not a keyword and not followed by "("
(a function or aggregation) is a metric name.

Exit status: 0 when every name is exported, 1 when some are not (each listed with where it is
used), 2 on a usage error. Python 3 standard library only.
"""

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_RULES = HERE / "prometheus" / "muxd-alerts.yml"
DEFAULT_DASHBOARD = HERE / "grafana" / "muxd-dashboard.json"

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "atan2", "inf", "nan",
}

IDENT = r"[A-Za-z_:][A-Za-z0-9_:]*"
STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
NAME_MATCHER = re.compile(r'__name__\s*=\s*"([^"]+)"')
BRACES = re.compile(r"\{[^{}]*\}")
BRACKETS = re.compile(r"\[[^\[\]]*\]")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
VARIABLE = re.compile(r"\$\{[^}]*\}|\$\w+")
TOKEN = re.compile(r"(" + IDENT + r")(\s*\()?|\d[\w.]*")


def metric_names(expr):
    """The metric names a PromQL expression selects."""
    names = set(NAME_MATCHER.findall(expr))
    text = STRING.sub(" ", expr)
    text = BRACES.sub(" ", text)
    text = BRACKETS.sub(" ", text)
    text = GROUPING.sub(" ", text)
    text = VARIABLE.sub(" ", text)
    for match in TOKEN.finditer(text):
        ident, call = match.group(1), match.group(2)
        if ident and not call and ident.lower() not in KEYWORDS:
            names.add(ident)
    return names


def rule_exprs(path):
    """(expr, where) for each `expr:` of a Prometheus rules file, without a YAML library."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    found = []
    rule = "?"
    i = 0
    while i < len(lines):
        line = lines[i]
        named = re.match(r"\s*-?\s*(?:alert|record):\s*(\S+)", line)
        if named:
            rule = named.group(1).strip("'\"")
        key = re.match(r"(\s*)(?:-\s*)?expr:\s*(.*)$", line)
        i += 1
        if not key:
            continue
        indent, value = len(key.group(1)), key.group(2).strip()
        if re.fullmatch(r"[|>][-+0-9]*", value):
            block = []
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i].strip())
                i += 1
            value = " ".join(block)
        elif len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found.append((value, f"{path}: {rule}"))
    return found


def dashboard_exprs(path):
    """(expr, where) for each panel query and query variable of a Grafana dashboard."""
    dashboard = json.loads(Path(path).read_text(encoding="utf-8"))
    found = []

    def walk(node, title):
        if isinstance(node, dict):
            title = node.get("title", title)
            for key, value in node.items():
                if key == "expr" and isinstance(value, str):
                    found.append((value, f"{path}: panel {title!r}"))
                elif key != "templating":
                    walk(value, title)
        elif isinstance(node, list):
            for item in node:
                walk(item, title)

    walk(dashboard, "?")
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        if not isinstance(query, str):
            continue
        where = f"{path}: variable {variable.get('name')!r}"
        values = re.fullmatch(r"\s*label_values\((.*),\s*" + IDENT + r"\s*\)\s*", query)
        result = re.fullmatch(r"\s*query_result\((.*)\)\s*", query)
        if values:
            found.append((values.group(1), where))
        elif result:
            found.append((result.group(1), where))
        elif not re.match(r"\s*(label_values|label_names|metrics)\(", query):
            found.append((query, where))
    return found


def exported_names(text):
    """The names a list or an exposition text allows."""
    allowed = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                name, kind = parts[2], parts[3]
                if kind == "histogram":
                    allowed.update(name + s for s in HISTOGRAM_SUFFIXES)
                elif kind == "summary":
                    allowed.update((name, name + "_sum", name + "_count"))
                else:
                    allowed.add(name)
            continue
        match = re.match(IDENT, line)
        if not match:
            continue
        name = match.group(0)
        allowed.add(name)
        if match.end() == len(line):  # a bare name: a histogram's base name is enough
            allowed.update(name + s for s in HISTOGRAM_SUFFIXES)
    return allowed


def main(argv):
    parser = argparse.ArgumentParser(
        description="Check that the alert rules and the dashboard use only exported metric names.")
    parser.add_argument("exported", nargs="*",
                        help="files of exported names or /metrics output ('-' for stdin)")
    parser.add_argument("--rules", default=str(DEFAULT_RULES), help="Prometheus rules file")
    parser.add_argument("--dashboard", default=str(DEFAULT_DASHBOARD),
                        help="Grafana dashboard JSON")
    parser.add_argument("--list", action="store_true",
                        help="print the metric names the two files use, and exit")
    args = parser.parse_args(argv)

    uses = {}
    for expr, where in rule_exprs(args.rules) + dashboard_exprs(args.dashboard):
        for name in metric_names(expr):
            uses.setdefault(name, set()).add(where)
    if not uses:
        print("error: no metric names found; wrong --rules or --dashboard path?", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(sorted(uses)))
        return 0
    if not args.exported:
        parser.print_usage(sys.stderr)
        print("error: give at least one file of exported names ('-' for stdin)", file=sys.stderr)
        return 2

    allowed = set()
    for source in args.exported:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        allowed |= exported_names(text)

    unknown = sorted(set(uses) - allowed)
    if unknown:
        print(f"{len(unknown)} metric name(s) used but not exported:", file=sys.stderr)
        for name in unknown:
            print(f"  {name}", file=sys.stderr)
            for where in sorted(uses[name]):
                print(f"      used in {where}", file=sys.stderr)
        return 1
    print(f"ok: all {len(uses)} metric names used by the rules and the dashboard are exported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
