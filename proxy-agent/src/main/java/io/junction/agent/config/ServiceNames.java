package io.junction.agent.config;

import java.util.regex.Pattern;

/**
 * The rule for a Junction service name, wherever one comes from: a {@code services[]} entry, or a registry's service
 * after its {@code rename}: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at
 * most {@link #MAX_LENGTH} characters (a DNS label with dots allowed, as Kubernetes names are).
 */
public final class ServiceNames {
    public static final Pattern PATTERN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    public static final int MAX_LENGTH = 63;
    /** The rule in words, for the messages that refuse a name. */
    public static final String RULE = "lower-case letters, digits, '-' and '.', starting and ending with a letter or "
            + "digit, at most " + MAX_LENGTH + " characters";

    private ServiceNames() {
    }

    /** Whether {@code name} follows the rule. */
    public static boolean valid(String name) {
        return name.length() <= MAX_LENGTH && PATTERN.matcher(name).matches();
    }
}
