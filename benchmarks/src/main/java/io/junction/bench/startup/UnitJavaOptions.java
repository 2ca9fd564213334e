package io.junction.bench.startup;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options a systemd unit gives the agent: the last {@code JAVA_OPTS} assignment in its {@code [Service]}
 * section's {@code Environment=} lines, split the way systemd expands {@code $JAVA_OPTS} in {@code ExecStart}.
 * Reading them from the unit keeps the benchmark from drifting away from what is shipped. Thread-safe (stateless).
 *
 * <p>Follows systemd's rules as far as the shipped unit needs them: comment lines ({@code #}, {@code ;}), line
 * continuations, several assignments on one {@code Environment=} line, assignments quoted with {@code "} or
 * {@code '} (backslash escapes inside), and {@code $NAME} (split at whitespace into words) against {@code ${NAME}}
 * (one word) in {@code ExecStart}. An {@code EnvironmentFile=} may override the options on a host; this reads the
 * unit's own.
 */
public final class UnitJavaOptions {
    static final String VARIABLE = "JAVA_OPTS";

    private UnitJavaOptions() {
    }

    /**
     * @param unitText the unit file's content
     * @return the options in order; empty when the variable is set to nothing
     * @throws IllegalArgumentException when the unit sets no {@code JAVA_OPTS} or {@code ExecStart} does not use it
     */
    public static List<String> parse(String unitText) {
        String value = null;
        String execStart = null;
        boolean inService = false;
        for (String line : logicalLines(unitText)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[")) {
                inService = l.equals("[Service]");
                continue;
            }
            int eq = l.indexOf('=');
            if (!inService || eq < 0) {
                continue;
            }
            String key = l.substring(0, eq).strip();
            String rest = l.substring(eq + 1).strip();
            if (key.equals("Environment")) {
                for (String assignment : words(rest)) {
                    if (assignment.startsWith(VARIABLE + "=")) {
                        value = assignment.substring(VARIABLE.length() + 1);
                    }
                }
            } else if (key.equals("ExecStart")) {
                execStart = rest;
            }
        }
        if (value == null) {
            throw new IllegalArgumentException("the unit sets no " + VARIABLE + " (expected: an Environment= line"
                    + " in [Service] assigning " + VARIABLE + ")");
        }
        if (execStart == null) {
            throw new IllegalArgumentException("the unit has no ExecStart= in [Service]");
        }
        if (execStart.contains("${" + VARIABLE + "}")) {
            return value.isEmpty() ? List.of() : List.of(value);
        }
        if (!execStart.matches(".*\\$" + VARIABLE + "(?![A-Za-z0-9_]).*")) {
            throw new IllegalArgumentException("the unit's ExecStart does not pass $" + VARIABLE + ": " + execStart);
        }
        List<String> options = new ArrayList<>();
        for (String w : value.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                options.add(w);
            }
        }
        return List.copyOf(options);
    }

    /** Joins lines ending in a backslash with the next one, as systemd does. */
    private static List<String> logicalLines(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\r?\n", -1)) {
            if (raw.endsWith("\\")) {
                current.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            current.append(raw);
            out.add(current.toString());
            current.setLength(0);
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    /** Splits at unquoted whitespace and removes the quotes; a backslash escapes the next character. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote in: " + s);
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
