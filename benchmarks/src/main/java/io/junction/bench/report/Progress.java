package io.junction.bench.report;

import io.junction.bench.load.Mode;
import io.junction.bench.load.Tally;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress of a run on stderr. On a terminal, one line rewritten in place with a carriage return four times a
 * second. Anywhere else (a log file, a pipe, CI) a carriage return garbles the text, so plain lines: one when a phase
 * starts, then at most one every {@link #PLAIN_LINE_INTERVAL_NANOS}. Thread-safe: the run controller sets the current
 * phase (volatile fields), a daemon timer thread prints.
 */
public final class Progress implements AutoCloseable {
    /** Without a terminal, how often a phase that goes on is reported again. */
    static final long PLAIN_LINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final PrintStream out;
    private final boolean terminal;
    private final ScheduledExecutorService timer;
    private final AtomicLong phase = new AtomicLong();
    private volatile String label = "";
    private volatile Tally tally;
    private volatile Mode mode;
    private volatile long measureStart;
    private volatile long phaseEnd;
    private volatile boolean measuring;
    // Guarded by this.
    private int lastLength;
    private long printedPhase = -1;
    private long printedAt;
    private boolean closed;

    /** Progress on {@code out}, rewritten in place if it is a terminal ({@link System#err} usually is). */
    public Progress(PrintStream out) {
        this(out, Terminal.isTerminal(out), true);
    }

    /** {@code startTimer} false leaves the printing to {@link #tick}; for tests. */
    Progress(PrintStream out, boolean terminal, boolean startTimer) {
        this.out = out;
        this.terminal = terminal;
        if (!startTimer) {
            this.timer = null;
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> tick(System.nanoTime()), 250, 250, TimeUnit.MILLISECONDS);
    }

    /** Starts the warm-up phase of one target in one round. */
    public void warmup(String label, Mode mode, Tally tally, long endNanos) {
        this.label = label;
        this.mode = mode;
        this.tally = tally;
        this.phaseEnd = endNanos;
        this.measuring = false;
        phase.incrementAndGet();
    }

    public void measure(long startNanos, long endNanos) {
        this.measureStart = startNanos;
        this.phaseEnd = endNanos;
        this.measuring = true;
        phase.incrementAndGet();
    }

    /** Shows a fixed message (for example "stopping haproxy") until the next phase. */
    public void status(String text) {
        this.label = text;
        this.tally = null;
        phase.incrementAndGet();
    }

    /** Prints the progress as of {@code now} ({@link System#nanoTime}), if it is time to. */
    synchronized void tick(long now) {
        if (closed) {
            return;
        }
        String line = render(now);
        if (terminal) {
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            out.flush();
            lastLength = line.length();
            return;
        }
        long current = phase.get();
        boolean due = current != printedPhase || now - printedAt >= PLAIN_LINE_INTERVAL_NANOS;
        if (due && !line.isEmpty()) {
            out.println(line);
            out.flush();
            printedPhase = current;
            printedAt = now;
        }
    }

    private String render(long now) {
        Tally t = tally;
        double left = Math.max(0, (phaseEnd - now) / 1e9);
        if (t == null) {
            return label;
        }
        if (!measuring) {
            return String.format(Locale.ROOT, "%s  warm-up %.1fs left", label, left);
        }
        double secs = Math.max(1e-3, (now - measureStart) / 1e9);
        String rate = mode == Mode.TCP_STREAM
                ? String.format(Locale.ROOT, "%.2f Gbit/s", t.bytesSoFar() * 8 / 1e9 / secs)
                : String.format(Locale.ROOT, "%,.0f %s", t.opsSoFar() / secs, mode.primaryUnit());
        return String.format(Locale.ROOT, "%s  measuring %.1fs left  %s  errors %d", label, left, rate,
                t.errorsSoFar());
    }

    /** Stops the timer and, on a terminal, clears the line. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (terminal) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
    }
}
