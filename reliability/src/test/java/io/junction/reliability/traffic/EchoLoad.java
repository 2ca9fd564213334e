package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady load through a TCP echo service while a scenario does something to the agent (reloads, bad files): some
 * connections held open that do one echo round trip every 10 ms, and connector threads that each open a new
 * connection, do one round trip and close, then pause. Counts what went wrong, told apart: a connect that failed
 * (refused, timed out) and an established connection that broke (reset, early EOF, wrong bytes, no answer in 5 s).
 * Bounded: every loop stops on {@link #close()}, and each connector makes at most one connection per pause.
 */
public final class EchoLoad implements AutoCloseable {
    private final InetSocketAddress target;
    private final long pauseMillis;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "echo-load");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong connected = new AtomicLong();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong failedConnects = new AtomicLong();
    private final AtomicLong broken = new AtomicLong();
    private final List<String> firstProblems = new ArrayList<>();
    private final List<Future<?>> tasks = new ArrayList<>();

    private EchoLoad(InetSocketAddress target, long pauseMillis) {
        this.target = target;
        this.pauseMillis = pauseMillis;
    }

    /**
     * Starts {@code held} held connections (opened before this returns; a failure to open one throws) and
     * {@code connectors} threads of new connections, each pausing {@code pauseMillis} between them.
     */
    public static EchoLoad start(InetSocketAddress target, int held, int connectors, long pauseMillis)
            throws IOException {
        EchoLoad load = new EchoLoad(target, pauseMillis);
        for (int i = 0; i < held; i++) {
            Socket s = load.open();
            load.tasks.add(load.pool.submit(() -> load.hold(s)));
        }
        for (int i = 0; i < connectors; i++) {
            load.tasks.add(load.pool.submit(load::connectLoop));
        }
        return load;
    }

    /** New connections stop (held ones keep echoing) until {@link #resume()}; for quiet fd and RSS readings. */
    public void pauseNewConnections() {
        paused.set(true);
    }

    public void resume() {
        paused.set(false);
    }

    /** Connections established (held and new). */
    public long connected() {
        return connected.get();
    }

    /** Echo round trips that came back intact. */
    public long roundTrips() {
        return roundTrips.get();
    }

    public long failedConnects() {
        return failedConnects.get();
    }

    /** Established connections that broke: reset, EOF, wrong bytes or no answer. */
    public long broken() {
        return broken.get();
    }

    /** The first few problems, for the report. */
    public synchronized List<String> firstProblems() {
        return List.copyOf(firstProblems);
    }

    /** Stops every loop, closes the held connections and waits for the threads (an interrupt is kept). */
    @Override
    public void close() {
        stop.set(true);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(15, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(target, 5000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        s.setSoTimeout(5000);
        connected.incrementAndGet();
        return s;
    }

    private void hold(Socket s) {
        try (s) {
            for (long i = 0; !stop.get(); i++) {
                if (!roundTrip(s, "held" + i)) {
                    return;
                }
                Thread.sleep(10);
            }
        } catch (IOException | InterruptedException e) {
            // closing at the end; a failure during the run was counted by roundTrip
        }
    }

    private void connectLoop() {
        for (long i = 0; !stop.get(); i++) {
            if (!paused.get()) {
                Socket s;
                try {
                    s = open();
                } catch (IOException e) {
                    problem(failedConnects, "connect: " + e);
                    s = null;
                }
                if (s != null) {
                    try (Socket c = s) {
                        roundTrip(c, "new" + i);
                    } catch (IOException e) {
                        // close failed; the round trip already counted what matters
                    }
                }
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round trip; counts and returns false when the connection broke. */
    private boolean roundTrip(Socket s, String text) {
        byte[] out = text.getBytes(StandardCharsets.US_ASCII);
        try {
            OutputStream os = s.getOutputStream();
            os.write(out);
            os.flush();
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(out.length);
            if (!Arrays.equals(back, out)) {
                problem(broken, "echo of '" + text + "' came back as " + back.length + " bytes");
                return false;
            }
            roundTrips.incrementAndGet();
            return true;
        } catch (IOException e) {
            if (!stop.get()) {
                problem(broken, "round trip '" + text + "': " + e);
            }
            return false;
        }
    }

    private synchronized void problem(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (firstProblems.size() < 5) {
            firstProblems.add(what);
        }
    }
}
