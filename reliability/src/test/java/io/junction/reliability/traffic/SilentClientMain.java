package io.junction.reliability.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Clients that go silent, in their own JVM inside a network namespace: opens COUNT connections to HOST:PORT (4
 * threads), proves each with one echo round trip, then sends nothing more and watches every connection for its end
 * (EOF or reset) on one selector thread. Prints {@code ready OPENED FAILED LAST_ACTIVITY_EPOCH_MS} once all are open
 * (the time of the last echo received), then {@code closed ENDED EARLIEST_MS SLOWEST_MS}, where each connection's
 * time is from its own echo to its end, when every connection ended or DEADLINE_SECONDS passed. A peer whose network
 * is cut never sees its end; the test kills the JVM. Usage: {@code SilentClientMain HOST PORT COUNT DEADLINE_SECONDS}.
 */
public final class SilentClientMain {
    private SilentClientMain() {
    }

    /** One open connection and when its echo came back (System.nanoTime). */
    private record Silent(SocketChannel channel, long echoedNanos) {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Silent>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            opening.add(pool.submit(() -> open(target, n)));
        }
        List<Silent> open = new ArrayList<>();
        int failed = 0;
        for (Future<Silent> f : opening) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failed++;
            }
        }
        pool.shutdownNow();
        long last = open.stream().mapToLong(Silent::echoedNanos).max().orElse(System.nanoTime());
        long lastEpochMs = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last);
        System.out.println("ready " + open.size() + " " + failed + " " + lastEpochMs);
        System.out.flush();
        watch(open, deadline);
    }

    private static Silent open(InetSocketAddress target, int n) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(target, 5000);
            ch.socket().setSoTimeout(5000);
            byte[] text = ("silent" + n).getBytes(StandardCharsets.US_ASCII);
            ch.socket().getOutputStream().write(text);
            byte[] back = ch.socket().getInputStream().readNBytes(text.length);
            if (back.length != text.length) {
                throw new IOException("no echo");
            }
            return new Silent(ch, System.nanoTime());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Waits for every connection's end; prints the count and the earliest and slowest time from echo to end. */
    private static void watch(List<Silent> open, long deadline) throws IOException {
        long earliest = Long.MAX_VALUE;
        long slowest = 0;
        int ended = 0;
        ByteBuffer buf = ByteBuffer.allocate(256);
        try (Selector selector = Selector.open()) {
            for (Silent s : open) {
                s.channel().configureBlocking(false);
                s.channel().register(selector, SelectionKey.OP_READ, s);
            }
            while (ended < open.size() && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Silent s = (Silent) key.attachment();
                    int n;
                    try {
                        buf.clear();
                        n = s.channel().read(buf);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        long took = System.nanoTime() - s.echoedNanos();
                        earliest = Math.min(earliest, took);
                        slowest = Math.max(slowest, took);
                        ended++;
                        key.cancel();
                        s.channel().close();
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        System.out.println("closed " + ended + " " + (ended == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(earliest)) + " "
                + TimeUnit.NANOSECONDS.toMillis(slowest));
        System.out.flush();
    }
}
