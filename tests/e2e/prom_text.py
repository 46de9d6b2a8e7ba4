"""A strict reader of the Prometheus text exposition format (0.0.4), for the tests: it rejects
what Prometheus would reject (and a little more: samples without a TYPE, repeated series,
histograms whose buckets are not cumulative or whose +Inf bucket differs from _count), and
returns every sample by (name, labels)."""

import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count", "")}


class Invalid(AssertionError):
    pass


def _labels(text, line_no):
    """Parses 'a="x",b="y"' (escapes \\\\, \\", \\n) into a tuple of pairs."""
    pairs, i = [], 0
    while i < len(text):
        eq = text.find("=", i)
        if eq < 0:
            raise Invalid(f"line {line_no}: label without '='")
        name = text[i:eq]
        if not LABEL_NAME.match(name) or name.startswith("__"):
            raise Invalid(f"line {line_no}: bad label name {name!r}")
        if eq + 1 >= len(text) or text[eq + 1] != '"':
            raise Invalid(f"line {line_no}: label value not quoted")
        j, value = eq + 2, []
        while True:
            if j >= len(text):
                raise Invalid(f"line {line_no}: unterminated label value")
            c = text[j]
            if c == "\\":
                nxt = text[j + 1:j + 2]
                if nxt not in ("\\", '"', "n"):
                    raise Invalid(f"line {line_no}: bad escape \\{nxt}")
                value.append("\n" if nxt == "n" else nxt)
                j += 2
            elif c == '"':
                break
            else:
                value.append(c)
                j += 1
        pairs.append((name, "".join(value)))
        i = j + 1
        if i < len(text):
            if text[i] != ",":
                raise Invalid(f"line {line_no}: expected ',' between labels")
            i += 1
    names = [n for n, _ in pairs]
    if len(set(names)) != len(names):
        raise Invalid(f"line {line_no}: repeated label")
    return tuple(sorted(pairs))


def _value(text, line_no):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.match(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z", text):
        raise Invalid(f"line {line_no}: bad value {text!r}")
    return float(text)


def parse(text):
    """{(name, ((label, value), ...)): float}; raises Invalid on any format error."""
    if text and not text.endswith("\n"):
        raise Invalid("the exposition must end with a newline")
    types, helps, samples = {}, set(), {}
    family_of_sample = {}
    for line_no, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 4 or not NAME.match(parts[2]):
                    raise Invalid(f"line {line_no}: malformed {parts[1]}")
                if parts[1] == "TYPE":
                    if parts[3] not in TYPES or parts[2] in types:
                        raise Invalid(f"line {line_no}: bad or repeated TYPE")
                    if any(f == parts[2] for f in family_of_sample.values()):
                        raise Invalid(f"line {line_no}: TYPE after its samples")
                    types[parts[2]] = parts[3]
                else:
                    if parts[2] in helps:
                        raise Invalid(f"line {line_no}: repeated HELP")
                    helps.add(parts[2])
            continue
        if not line.strip():
            raise Invalid(f"line {line_no}: empty line")
        m = re.match(r"([^{ ]+)(?:\{(.*)\})? (\S+)\Z", line)
        if not m:
            raise Invalid(f"line {line_no}: malformed sample {line!r}")
        name, labels, value = m.group(1), _labels(m.group(2) or "", line_no), \
            _value(m.group(3), line_no)
        if not NAME.match(name):
            raise Invalid(f"line {line_no}: bad metric name {name!r}")
        family = name
        if name not in types:
            for base, kind in types.items():
                if name in (base + s for s in SUFFIXES.get(kind, ())):
                    family = base
        if family not in types:
            raise Invalid(f"line {line_no}: sample {name} has no TYPE")
        if types[family] == "counter" and (value < 0 or math.isnan(value)):
            raise Invalid(f"line {line_no}: negative counter")
        key = (name, labels)
        if key in samples:
            raise Invalid(f"line {line_no}: repeated series {name}{dict(labels)}")
        samples[key] = value
        family_of_sample[key] = family
    _check_histograms(types, samples)
    return samples


def _check_histograms(types, samples):
    for base, kind in types.items():
        if kind != "histogram":
            continue
        groups = {}
        for (name, labels), value in samples.items():
            if name == base + "_bucket":
                le = dict(labels).get("le")
                if le is None:
                    raise Invalid(f"{base}: bucket without le")
                rest = tuple(p for p in labels if p[0] != "le")
                groups.setdefault(rest, []).append((float(le.replace("Inf", "inf")), value))
        for rest, buckets in groups.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            if buckets[-1][0] != math.inf:
                raise Invalid(f"{base}{dict(rest)}: no +Inf bucket")
            if counts != sorted(counts):
                raise Invalid(f"{base}{dict(rest)}: buckets not cumulative")
            if samples.get((base + "_count", rest)) != counts[-1]:
                raise Invalid(f"{base}{dict(rest)}: _count differs from the +Inf bucket")
            if (base + "_sum", rest) not in samples:
                raise Invalid(f"{base}{dict(rest)}: no _sum")


def value(samples, name, **labels):
    """One series' value, 0 when the series is absent (counters start at zero)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
