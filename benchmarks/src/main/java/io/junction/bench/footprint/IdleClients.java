package io.junction.bench.footprint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * N client connections held open and idle: plain blocking NIO socket channels (no event loop, no buffers of their
 * own), each of which sent one small message. Identical in the direct and the proxied run, so they cancel out of the
 * proxy's cost. Not thread-safe: opened, held and closed by one thread.
 */
final class IdleClients implements AutoCloseable {
    /** Connections opened between two looks at the backend's accept count. */
    private static final int PACE_EVERY = 256;
    /** How far connects may run ahead of the backend's accepts (stays well inside the listeners' backlogs). */
    private static final int MAX_AHEAD = 768;

    private final List<SocketChannel> channels;

    private IdleClients(List<SocketChannel> channels) {
        this.channels = channels;
    }

    /**
     * Opens {@code n} connections to {@code to} and writes {@code message} on each. Connects are paced against
     * {@code acceptedSinceStart} (the backend's accepts during this run) so no listener's accept queue overflows,
     * which would turn a dropped SYN into a one-second retransmit.
     *
     * @param deadlineNanos System.nanoTime() after which opening fails
     */
    static IdleClients open(InetSocketAddress to, int n, byte[] message, LongSupplier acceptedSinceStart,
                            long deadlineNanos) throws IOException, InterruptedException {
        List<SocketChannel> list = new ArrayList<>(n);
        IdleClients clients = new IdleClients(list);
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open();
                list.add(ch);
                ch.connect(to);
                ByteBuffer b = ByteBuffer.wrap(message);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                if ((i + 1) % PACE_EVERY == 0) {
                    while (i + 1 - acceptedSinceStart.getAsLong() > MAX_AHEAD) {
                        if (System.nanoTime() - deadlineNanos > 0) {
                            throw new IOException("backend accepted " + acceptedSinceStart.getAsLong() + " of "
                                    + (i + 1) + " connections before the deadline (expected: all)");
                        }
                        Thread.sleep(1);
                    }
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw new IOException("opened " + (i + 1) + " of " + n + " connections before the deadline");
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            clients.close();
            throw e;
        }
        return clients;
    }

    int size() {
        return channels.size();
    }

    /** Closes every connection (a normal FIN); errors on close are ignored, the socket is gone either way. */
    @Override
    public void close() {
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // Closing a socket the peer already reset; nothing is left to free.
            }
        }
        channels.clear();
    }
}
