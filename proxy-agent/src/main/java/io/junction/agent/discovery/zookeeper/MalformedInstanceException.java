package io.junction.agent.discovery.zookeeper;

/** A registry node that is not a usable {@code ServiceInstance}; the message says why. Skipped, never fatal. */
public final class MalformedInstanceException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedInstanceException(String message) {
        super(message);
    }
}
