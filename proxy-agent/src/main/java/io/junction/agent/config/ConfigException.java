package io.junction.agent.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a config file cannot be used. It carries every problem found, not just the first, so one edit can fix
 * them all; {@link #getMessage()} lists them one per line. Immutable.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        this(errors, null);
    }

    public ConfigException(List<ConfigError> errors, Throwable cause) {
        super(format(errors), cause);
        this.errors = List.copyOf(errors);
    }

    /** The problems in file order (or in the order they were found when lines are unknown); never empty. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(List<ConfigError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: [] (expected: at least one error)");
        }
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
