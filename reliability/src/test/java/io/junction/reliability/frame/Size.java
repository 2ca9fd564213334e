package io.junction.reliability.frame;

/**
 * The size a run uses: {@link #SMALL} in every {@code mvn verify}, {@link #FULL} (the full figures of each scenario) under
 * {@code -Preliability}. Read once from the system property {@code junction.reliability.size} the pom sets.
 */
public enum Size {
    SMALL, FULL;

    public static final String PROPERTY = "junction.reliability.size";

    /** The size of this run; a value other than small or full is refused with the property's name. */
    public static Size current() {
        String value = System.getProperty(PROPERTY, "small");
        return switch (value) {
            case "small" -> SMALL;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException(PROPERTY + ": expected small or full, got '" + value + "'");
        };
    }

    /** {@code small} when small, else {@code full}: one place where a scenario's two sizes are chosen. */
    public <T> T pick(T small, T full) {
        return this == SMALL ? small : full;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
