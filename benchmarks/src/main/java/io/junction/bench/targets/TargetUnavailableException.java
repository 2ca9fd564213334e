package io.junction.bench.targets;

/**
 * A target cannot run on this machine or failed to come up; the message is shown to the user as is.
 * Immutable.
 */
public final class TargetUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean unsupported;

    public TargetUnavailableException(String message) {
        this(message, false);
    }

    /**
     * @param unsupported true when the target can never run this load (for example HAProxy and UDP), so the run
     *                    skips it even when the user named it explicitly
     */
    public TargetUnavailableException(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    public boolean unsupported() {
        return unsupported;
    }
}
