package io.junction.reliability.traffic;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The three live backends of a source outage scenario (18 to 21), all on one port of three loopback addresses so that
 * one Kubernetes slice port (or one registry port) names any of them: {@link #kept()} on 127.0.0.1 serves throughout,
 * {@link #removed()} on 127.0.0.2 is taken out of the source during the outage and {@link #added()} on 127.0.0.3 is put
 * in. Greeting ids 0, 1 and 2.
 */
public final class OutageBackends implements AutoCloseable {
    private static final int ATTEMPTS = 20;

    private final GreetingBackend kept;
    private final GreetingBackend removed;
    private final GreetingBackend added;

    private OutageBackends(GreetingBackend kept, GreetingBackend removed, GreetingBackend added) {
        this.kept = kept;
        this.removed = removed;
        this.added = added;
    }

    /** Three backends on a port free on 127.0.0.1, .2 and .3 (a few ports are tried). */
    public static OutageBackends start() throws IOException {
        BindException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            GreetingBackend k = new GreetingBackend(0);
            try {
                GreetingBackend r = new GreetingBackend(1, at("127.0.0.2", k.port()));
                try {
                    return new OutageBackends(k, r, new GreetingBackend(2, at("127.0.0.3", k.port())));
                } catch (BindException e) {
                    r.close();
                    throw e;
                }
            } catch (BindException e) {
                k.close();
                last = e;
            }
        }
        throw new IOException("no port free on 127.0.0.1, .2 and .3 in " + ATTEMPTS + " tries", last);
    }

    private static InetSocketAddress at(String ip, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    public int port() {
        return kept.port();
    }

    /** 127.0.0.1: in the source before, during and after the outage. */
    public GreetingBackend kept() {
        return kept;
    }

    /** 127.0.0.2: in the source before the outage, taken out during it. */
    public GreetingBackend removed() {
        return removed;
    }

    /** 127.0.0.3: put into the source during the outage. */
    public GreetingBackend added() {
        return added;
    }

    @Override
    public void close() throws IOException {
        kept.close();
        removed.close();
        added.close();
    }
}
