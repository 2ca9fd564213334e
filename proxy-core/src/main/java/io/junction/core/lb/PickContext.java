package io.junction.core.lb;

import java.net.InetAddress;

/**
 * The per-connection input of a pick: who the client is and which backends this connection already tried. One
 * instance per client connection (or UDP session), reused across its retries, so picking allocates nothing.
 *
 * <p>Not thread-safe: confined to the event loop that owns the connection.
 */
public final class PickContext {
    private static final int MAX_TRIED = 16;

    private InetAddress clientAddress;
    /** Allocated by the first failed connect: most connections never retry. */
    private Backend[] tried;
    private int triedCount;

    public PickContext(InetAddress clientAddress) {
        this.clientAddress = clientAddress;
    }

    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** Remembers that a connect to {@code backend} failed, so later picks prefer others. */
    public void markTried(Backend backend) {
        if (tried == null) {
            tried = new Backend[MAX_TRIED];
        }
        if (triedCount < MAX_TRIED) {
            tried[triedCount++] = backend;
        }
    }

    /** Whether this connection already tried {@code backend}. */
    public boolean wasTried(Backend backend) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == backend) {
                return true;
            }
        }
        return false;
    }

    /** The backend tried last, or null. A picker never returns it again while another choice exists. */
    public Backend lastTried() {
        return triedCount == 0 ? null : tried[triedCount - 1];
    }

    public int attempts() {
        return triedCount;
    }

    public void reset(InetAddress newClient) {
        this.clientAddress = newClient;
        for (int i = 0; i < triedCount; i++) {
            tried[i] = null;
        }
        triedCount = 0;
    }
}
