package io.junction.agent.config;

import java.util.Objects;

/**
 * One problem found in a config file. Immutable.
 *
 * @param source  the file name as the user gave it (or another label for in-memory text)
 * @param line    1-based line of the offending key or value; 0 when unknown
 * @param path    the field path, such as {@code services[1].connectTimeout}; empty for whole-file problems
 * @param message what is wrong and what was expected
 */
public record ConfigError(String source, int line, String path, String message) {

    public ConfigError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        if (line < 0) {
            throw new IllegalArgumentException("line: " + line + " (expected: >= 0)");
        }
    }

    /** {@code source:line: path: message}, leaving out the parts that are unknown, as compilers print errors. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (!path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }
}
