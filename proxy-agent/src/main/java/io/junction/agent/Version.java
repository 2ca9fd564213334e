package io.junction.agent;

/** The agent's version, from the jar manifest ({@code dev} when run from classes). Stateless. */
public final class Version {
    private Version() {
    }

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
