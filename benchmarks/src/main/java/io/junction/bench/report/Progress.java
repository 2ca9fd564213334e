package io.junction.bench.report;

import io.junction.bench.load.Mode;
import io.junction.bench.load.Tally;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress line on stderr, rewritten in place with a carriage return four times a second. Thread-safe: the
 * run controller sets the current phase (volatile fields), a daemon timer thread prints.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final ScheduledExecutorService timer;
    private volatile String label = "";
    private volatile Tally tally;
    private volatile Mode mode;
    private volatile long measureStart;
    private volatile long phaseEnd;
    private volatile boolean measuring;
    private int lastLength;

    public Progress(PrintStream out) {
        this.out = out;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::print, 250, 250, TimeUnit.MILLISECONDS);
    }

    /** Starts the warm-up phase of one target in one round. */
    public void warmup(String label, Mode mode, Tally tally, long endNanos) {
        this.label = label;
        this.mode = mode;
        this.tally = tally;
        this.phaseEnd = endNanos;
        this.measuring = false;
    }

    public void measure(long startNanos, long endNanos) {
        this.measureStart = startNanos;
        this.phaseEnd = endNanos;
        this.measuring = true;
    }

    /** Shows a fixed message (for example "stopping haproxy") until the next phase. */
    public void status(String text) {
        this.label = text;
        this.tally = null;
    }

    private synchronized void print() {
        Tally t = tally;
        String line;
        long now = System.nanoTime();
        double left = Math.max(0, (phaseEnd - now) / 1e9);
        if (t == null) {
            line = label;
        } else if (!measuring) {
            line = String.format(Locale.ROOT, "%s  warm-up %.1fs left", label, left);
        } else {
            double secs = Math.max(1e-3, (now - measureStart) / 1e9);
            String rate = mode == Mode.TCP_STREAM
                    ? String.format(Locale.ROOT, "%.2f Gbit/s", t.bytesSoFar() * 8 / 1e9 / secs)
                    : String.format(Locale.ROOT, "%,.0f %s", t.opsSoFar() / secs, mode.primaryUnit());
            line = String.format(Locale.ROOT, "%s  measuring %.1fs left  %s  errors %d", label, left, rate,
                    t.errorsSoFar());
        }
        int pad = Math.max(0, lastLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
    }

    /** Clears the line and stops the timer. */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        out.print("\r" + " ".repeat(lastLength) + "\r");
        out.flush();
    }
}
