package io.junction.agent.config;

import io.junction.core.model.Cidr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Typed reads of YAML values. Each read either returns the value or records an error naming the path and returns
 * null, so one pass over the file finds every problem. Confined to the thread doing the load.
 */
final class FieldReader {
    /** No timeout in this proxy makes sense beyond a year; larger values are almost surely unit mistakes. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    static final String PERCENT_EXPECTED = "a percentage such as 20%";

    private static final Pattern PERCENT = Pattern.compile("\\d+%");

    private final Problems problems;

    FieldReader(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + '.' + key;
    }

    static String index(String path, int i) {
        return path + '[' + i + ']';
    }

    /** Records an error for every key of {@code map} outside {@code allowed}, suggesting the nearest known key. */
    void rejectUnknownKeys(YamlNode map, String path, Collection<String> allowed) {
        for (var e : map.fields().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                String suggestion = nearest(e.getKey(), allowed);
                String key = e.getKey().length() <= 64 ? e.getKey() : e.getKey().substring(0, 61) + "...";
                problems.add(e.getValue(), child(path, key), "unknown key"
                        + (suggestion == null ? " (expected one of: " + String.join(", ", allowed) + ")"
                                : " (did you mean '" + suggestion + "'?)"));
            }
        }
    }

    /** True when {@code node} is a mapping; otherwise records that one was expected. */
    boolean expectMap(YamlNode node, String path) {
        if (node.kind() == YamlNode.Kind.MAP) {
            return true;
        }
        problems.add(node, path, "expected a mapping (key: value lines), got " + node.describe());
        return false;
    }

    /** True when {@code node} is a list; otherwise records that one was expected. */
    boolean expectList(YamlNode node, String path) {
        if (node.kind() == YamlNode.Kind.LIST) {
            return true;
        }
        problems.add(node, path, "expected a list (lines starting with '- '), got " + node.describe());
        return false;
    }

    String string(YamlNode node, String path) {
        // Plain numbers are allowed where a string is expected: YAML types "80" in `port: 80` as an integer.
        if (node.kind() == YamlNode.Kind.STRING || node.kind() == YamlNode.Kind.INT) {
            return node.text();
        }
        return mismatch(node, path, "a string");
    }

    Boolean bool(YamlNode node, String path) {
        if (node.kind() == YamlNode.Kind.BOOL) {
            return Boolean.valueOf(node.text());
        }
        return mismatch(node, path, "true or false");
    }

    Integer integer(YamlNode node, String path, long min, long max) {
        if (node.kind() != YamlNode.Kind.INT) {
            return mismatch(node, path, "an integer");
        }
        return inRange(node, path, node.text(), min, max);
    }

    /** A byte size: an integer or a string such as {@code 32KiB}. */
    Integer size(YamlNode node, String path, long min, long max) {
        if (node.kind() != YamlNode.Kind.INT && node.kind() != YamlNode.Kind.STRING) {
            return mismatch(node, path, "a size (" + SizeFormat.EXPECTED + ")");
        }
        long bytes = SizeFormat.parse(node.text());
        if (bytes < 0) {
            problems.add(node, path, node.describe() + " is not a valid size (" + SizeFormat.EXPECTED + ")");
            return null;
        }
        return inRange(node, path, Long.toString(bytes), min, max);
    }

    /** A whole percentage: {@code 20%}, or a bare integer {@code 20} meaning the same. */
    Integer percent(YamlNode node, String path, int min, int max) {
        String text = switch (node.kind()) {
            case INT -> node.text();
            case STRING -> PERCENT.matcher(node.text().trim()).matches() ? node.text().trim().replace("%", "") : null;
            default -> null;
        };
        if (text == null) {
            return mismatch(node, path, PERCENT_EXPECTED);
        }
        long value = text.length() > 9 ? Long.MAX_VALUE : Long.parseLong(text);
        if (value < min || value > max) {
            problems.add(node, path, node.describe() + " is out of range (expected: " + min + "%.." + max + "%)");
            return null;
        }
        return (int) value;
    }

    /**
     * A duration; {@code zeroMeansOff} says whether {@code 0} is allowed (it then turns the feature off). Bare numbers
     * other than 0 are refused: is {@code 30} seconds or milliseconds?
     */
    Duration duration(YamlNode node, String path, boolean zeroMeansOff, Duration max) {
        String text = switch (node.kind()) {
            case INT, STRING, FLOAT -> node.text().trim();
            default -> null;
        };
        if (text == null) {
            return mismatch(node, path, "a duration (" + DurationFormat.EXPECTED + ")");
        }
        Duration d = DurationFormat.parse(text);
        if (d == null) {
            String reason = DurationFormat.isBareNumber(text)
                    ? " needs a unit (e.g. " + text + "s or " + text + "ms)"
                    : " is not a valid duration (" + DurationFormat.EXPECTED + ")";
            problems.add(node, path, node.describe() + reason);
            return null;
        }
        if (d.isZero() && !zeroMeansOff) {
            problems.add(node, path, node.describe() + " is not allowed here (expected: > 0)");
            return null;
        }
        if (d.compareTo(max) > 0) {
            problems.add(node, path, node.describe() + " is too long (expected: <= " + DurationFormat.format(max) + ")");
            return null;
        }
        return d;
    }

    /**
     * A non-empty list of address blocks ({@code 10.0.0.0/8}, {@code fd00::/8}, a bare IP for one address);
     * {@code whyNotEmpty} says what an empty list would mean and what to do instead.
     */
    List<Cidr> cidrs(YamlNode n, String p, String whyNotEmpty) {
        if (!expectList(n, p)) {
            return null;
        }
        if (n.items().isEmpty()) {
            problems.add(n, p, whyNotEmpty);
            return null;
        }
        List<Cidr> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < n.items().size(); i++) {
            YamlNode item = n.items().get(i);
            String ip = index(p, i);
            String s = string(item, ip);
            if (s == null) {
                ok = false;
                continue;
            }
            try {
                out.add(Cidr.parse(s));
            } catch (IllegalArgumentException e) {
                problems.add(item, ip, item.describe() + ": " + e.getMessage()
                        + " (expected an address block such as 10.0.0.0/8 or fd00::/8)");
                ok = false;
            }
        }
        return ok ? out : null;
    }

    private Integer inRange(YamlNode node, String path, String digits, long min, long max) {
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            value = digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (value < min || value > max) {
            problems.add(node, path, node.describe() + " is out of range (expected: " + min + ".." + max + ")");
            return null;
        }
        return (int) value;
    }

    private <T> T mismatch(YamlNode node, String path, String expected) {
        String got = node.kind() == YamlNode.Kind.NULL ? "nothing" : node.describe();
        problems.add(node, path, "expected " + expected + ", got " + got);
        return null;
    }

    private static String nearest(String key, Collection<String> allowed) {
        String lower = key.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance, only ever run on short keys; hostile long keys are cut off first. */
    private static int distance(String a, String b) {
        if (a.length() > 64 || Math.abs(a.length() - b.length()) > 2) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Reads an optional key: its default when absent, otherwise whatever {@code reader} makes of it. */
    static <T> T optional(YamlNode parent, String key, T defaultValue, ValueReader<T> reader, String path) {
        YamlNode node = parent.field(key);
        return node == null ? defaultValue : reader.read(node, child(path, key));
    }

    /** Reads one value at a path, recording errors and returning null on failure. */
    @FunctionalInterface
    interface ValueReader<T> {
        T read(YamlNode node, String path);
    }
}
