package io.junction.agent.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the errors of one load so that all of them are reported together. Confined to the thread doing the load.
 */
final class Problems {
    /** Past this many errors the file is clearly not a config; the rest would only flood the log. */
    static final int MAX_ERRORS = 100;

    private final String source;
    private final List<ConfigError> errors = new ArrayList<>();
    /** Every problem found, those past {@link #MAX_ERRORS} too. */
    private int found;

    Problems(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void add(int line, String path, String message) {
        found++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(new ConfigError(source, Math.max(line, 0), path, message));
        }
    }

    void add(YamlNode node, String path, String message) {
        add(node == null ? 0 : node.line(), path, message);
    }

    /**
     * Problems found so far, including those past {@link #MAX_ERRORS} that are not listed: binders compare it before
     * and after reading a field to know whether the field was good, so it must keep counting past the cap (else a
     * file with a hundred duplicate keys and one bad value would make a binder build with the missing value).
     */
    int count() {
        return found;
    }

    /** An exception for a problem that makes the rest of the file unreadable, with what was collected before it. */
    ConfigException fatal(int line, String path, String message, Throwable cause) {
        add(line, path, message);
        return exception(cause);
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw exception(null);
        }
    }

    private ConfigException exception(Throwable cause) {
        List<ConfigError> sorted = new ArrayList<>(errors);
        // File order reads best; the sort is stable, so errors on one line keep the order they were found in.
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        if (found > errors.size()) {
            sorted.add(new ConfigError(source, 0, "", "too many errors; only the first " + MAX_ERRORS + " are shown"));
        }
        return new ConfigException(sorted, cause);
    }
}
