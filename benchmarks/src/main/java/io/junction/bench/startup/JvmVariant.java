package io.junction.bench.startup;

/** The two ways the agent's JVM is started: the unit's options alone, or with an AppCDS archive added. */
public enum JvmVariant {
    /** The unit's {@code JAVA_OPTS} as shipped (the JDK's own default CDS archive still applies). */
    PLAIN("unit JAVA_OPTS", "plain"),
    /** The unit's {@code JAVA_OPTS} plus {@code -XX:SharedArchiveFile=} an archive of the agent's classes. */
    CDS("unit JAVA_OPTS + AppCDS archive", "cds");

    private final String label;
    private final String key;

    JvmVariant(String label, String key) {
        this.label = label;
        this.key = key;
    }

    public String label() {
        return label;
    }

    /** Short lower-case name, for file names and JSON. */
    public String key() {
        return key;
    }
}
