package io.junction.reliability.traffic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid YAML config for scenario 22, each of a named kind, so a run can say what it tried and a
 * failing case can be replayed from its seed. Unlike proxy-agent's ConfigFuzzTest (random bytes and snippets at
 * random places), most kinds here know YAML lines: they rename a key, swap a value for one of another type or an
 * extreme one, turn a list into a map, duplicate a key or a block, nest a value deeply, or put unusual Unicode into a
 * key or value, so that the binders behind the parser are reached as often as the parser itself. Stateless: all
 * randomness comes from the {@link Random} passed in.
 */
public final class ConfigMutator {
    /** What one mutation does. */
    public enum Kind {
        BYTE_FLIP, TRUNCATION, KEY_RENAME, TYPE_SWAP, VALUE_SWAP, EXTREME_VALUE, LIST_MAP_SWAP, DUPLICATE,
        DEEP_NESTING, UNICODE
    }

    /** A mutated file: its bytes and the kinds applied, in order. */
    public record Mutant(byte[] bytes, List<Kind> kinds) {
    }

    /** {@code indent, "- " or nothing, key, the rest after the colon}. */
    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)(- )?([A-Za-z0-9_.-]+):(.*)$");

    /** Values of another type than most keys expect. */
    private static final String[] TYPE_VALUES = {"[]", "{}", "[1, 2]", "{a: 1}", "true", "false", "null", "~", "0",
        "1.5", "\"text\"", "''", "- x", "!!binary aGVsbG8=", "|\n  block", ">\n  folded", "2026-01-01",
        "0x1F", "0o17", ".nan", ".inf", "-.inf", "yes", "no", "on", "off"};

    /** Numbers and durations at and past every range the binders check. */
    private static final String[] EXTREME_VALUES = {"0", "-1", "-0", "1", "65535", "65536", "-65536",
        "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "99999999999999999999999999999999999999999999999999999999999999", "1e308", "1e309", "-1e309", "4.9e-324",
        "0s", "-1s", "1ns", "0.5ms", "9999999999999999h", "1h1h", "1y", "100%", "101%", "-5%", "1.5%", "0KiB",
        "1TiB", "9999999999EiB", "-1MiB", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:-1", "[::1]:80",
        "[::1]", "::1:80", "0.0.0.0:1", "256.0.0.1:80", "localhost:80", "host.invalid:80", "127.0.0.1/33",
        "10.0.0.0/8", "/", "\"\"", "\" \"", "x".repeat(300), "a/b/c", "../../etc/passwd", "$(id)", "%s%n",
        "\\u0000"};

    private static final String[] UNICODE = {"é", "e\u0301", "\u200B", "\u200E", "\u202E", "\uFEFF", "\u00A0",
        "\u0085", "\u2028", "\u2029", "\uFF11", "\u0661", "😀", "𝟘", "ß", "İ", "ı", "Ω", "中文", "\u3000",
        "\uFFFD", "\uFFFF"};

    private ConfigMutator() {
    }

    /** One to three mutations of {@code seed}. */
    public static Mutant mutate(String seed, Random random) {
        String text = seed;
        List<Kind> kinds = new ArrayList<>();
        byte[] bytes = null;
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            kinds.add(kind);
            if (kind == Kind.BYTE_FLIP || kind == Kind.TRUNCATION) {
                // Byte-level kinds may leave invalid UTF-8: they end the chain (the text is no longer text).
                bytes = bytes(text, kind, random);
                break;
            }
            text = text(text, kind, random);
        }
        return new Mutant(bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8), List.copyOf(kinds));
    }

    private static byte[] bytes(String text, Kind kind, Random random) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) {
            return b;
        }
        if (kind == Kind.TRUNCATION) {
            return java.util.Arrays.copyOf(b, random.nextInt(b.length));
        }
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
            int at = random.nextInt(b.length);
            b[at] = (byte) (random.nextBoolean() ? b[at] ^ (1 << random.nextInt(8)) : random.nextInt(256));
        }
        return b;
    }

    private static String text(String text, Kind kind, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        List<Integer> keyLines = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (KEY_LINE.matcher(lines.get(i)).matches() && !lines.get(i).stripLeading().startsWith("#")) {
                keyLines.add(i);
            }
        }
        if (keyLines.isEmpty()) {
            return text + pick(random, UNICODE);
        }
        int at = keyLines.get(random.nextInt(keyLines.size()));
        Matcher m = KEY_LINE.matcher(lines.get(at));
        if (!m.matches()) {
            throw new IllegalStateException("line " + at + " matched before");
        }
        String indent = m.group(1);
        String dash = m.group(2) == null ? "" : m.group(2);
        String key = m.group(3);
        String rest = m.group(4);
        String head = indent + dash;
        switch (kind) {
            case KEY_RENAME -> lines.set(at, head + renamed(key, random) + ":" + rest);
            case TYPE_SWAP -> lines.set(at, head + key + ": " + pick(random, TYPE_VALUES));
            case EXTREME_VALUE -> lines.set(at, head + key + ": " + pick(random, EXTREME_VALUES));
            case VALUE_SWAP -> {
                Matcher other = KEY_LINE.matcher(lines.get(keyLines.get(random.nextInt(keyLines.size()))));
                String value = other.matches() ? other.group(4) : "";
                lines.set(at, head + key + ":" + value);
            }
            case LIST_MAP_SWAP -> lines.set(at, head + key + ":" + swapBrackets(rest, random));
            case DUPLICATE -> duplicate(lines, at, indent, random);
            case DEEP_NESTING -> {
                int depth = 1 + random.nextInt(random.nextBoolean() ? 40 : 400);
                boolean list = random.nextBoolean();
                String value = rest.isBlank() ? "x" : rest.strip();
                lines.set(at, head + key + ": " + (list ? "[" : "{k: ").repeat(depth) + value
                        + (list ? "]" : "}").repeat(depth));
            }
            case UNICODE -> {
                String u = pick(random, UNICODE);
                lines.set(at, random.nextBoolean() ? head + key + u + ":" + rest : head + key + ":" + rest + u);
            }
            default -> throw new IllegalArgumentException("kind: " + kind + " (expected: a text-level kind)");
        }
        return String.join("\n", lines);
    }

    private static String renamed(String key, Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> key.toUpperCase(java.util.Locale.ROOT);
            case 1 -> key.substring(0, Math.max(1, key.length() - 1));
            case 2 -> key + "s";
            case 3 -> key.length() > 2 ? key.charAt(1) + "" + key.charAt(0) + key.substring(2) : key + key;
            case 4 -> "";
            default -> key.replace('e', '3');
        };
    }

    /** A flow list becomes a flow map and back; a block value gets an opposite-kind flow value. */
    private static String swapBrackets(String rest, Random random) {
        String v = rest.strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            return " {" + v.substring(1, v.length() - 1) + "}";
        }
        if (v.startsWith("{") && v.endsWith("}")) {
            return " [" + v.substring(1, v.length() - 1) + "]";
        }
        if (v.isEmpty()) {
            return random.nextBoolean() ? " []" : " {}";
        }
        return random.nextBoolean() ? " [" + v + "]" : " {" + v + ": " + v + "}";
    }

    /** The key line (and its indented block) again right below it: a duplicate key, or a duplicated list item. */
    private static void duplicate(List<String> lines, int at, String indent, Random random) {
        int end = at + 1;
        while (end < lines.size() && (lines.get(end).isBlank() || indentOf(lines.get(end)) > indent.length())) {
            end++;
        }
        List<String> block = new ArrayList<>(lines.subList(at, end));
        int copies = 1 + (random.nextInt(8) == 0 ? random.nextInt(200) : 0);
        for (int i = 0; i < copies; i++) {
            lines.addAll(end, block);
        }
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
