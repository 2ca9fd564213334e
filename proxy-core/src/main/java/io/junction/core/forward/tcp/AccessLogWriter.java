package io.junction.core.forward.tcp;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the event loops' access-log batches to standard output from one daemon thread, one {@code write(2)} per
 * batch. The loops never wait: {@link #offer} queues without a lock, and wakes the thread only when it sleeps. When
 * the output cannot keep up (more than {@link #MAX_QUEUED} batches waiting), further batches are dropped and counted
 * rather than slowing forwarding. In the JSON format the batch's text lines are rendered as JSON lines here, on this
 * thread ({@link AccessLogJson}), not on the loops.
 *
 * <p>Thread-safe.
 */
final class AccessLogWriter {
    static final int MAX_QUEUED = 256;
    static final AccessLogWriter INSTANCE = new AccessLogWriter(new FileOutputStream(FileDescriptor.out));

    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong droppedLines = new AtomicLong();
    private volatile OutputStream out;
    private volatile AccessLogFormat format = AccessLogFormat.TEXT;
    private volatile Thread thread;
    private volatile boolean sleeping;
    private volatile boolean writing;

    AccessLogWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Lines dropped because the output could not keep up. */
    long droppedLines() {
        return droppedLines.get();
    }

    /** Waits up to {@code millis} until no batch is queued or being written; returns whether that happened. */
    boolean awaitIdle(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (queued.get() > 0 || writing) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** How batches are written from now on, including those already queued. */
    void format(AccessLogFormat value) {
        this.format = Objects.requireNonNull(value, "format");
    }

    /** Where batches go from now on (tests). */
    void output(OutputStream value) {
        this.out = Objects.requireNonNull(value, "out");
    }

    /** Queues one batch of whole lines; called by event loops. */
    void offer(String batch) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            droppedLines.addAndGet(countLines(batch));
            return;
        }
        queue.add(batch);
        Thread t = thread;
        if (t == null) {
            t = start();
        }
        if (sleeping) {
            LockSupport.unpark(t);
        }
    }

    private synchronized Thread start() {
        if (thread == null) {
            Thread t = new Thread(this::writeLoop, "junction-access-log");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
        return thread;
    }

    private void writeLoop() {
        while (true) {
            String batch = queue.poll();
            if (batch == null) {
                sleeping = true;
                // Re-check after announcing the sleep: a batch queued in between has seen sleeping=true and unparks.
                if (queue.isEmpty()) {
                    LockSupport.park(this);
                }
                sleeping = false;
                continue;
            }
            writing = true;
            queued.decrementAndGet();
            write(batch);
            writing = false;
        }
    }

    private void write(String batch) {
        OutputStream o = out;
        try {
            byte[] bytes = format == AccessLogFormat.JSON ? AccessLogJson.render(batch)
                    : batch.getBytes(StandardCharsets.UTF_8);
            // Under System.out's lock, so a batch never interleaves with a log line written through it.
            synchronized (System.out) {
                o.write(bytes);
                o.flush();
            }
        } catch (IOException | RuntimeException e) {
            // A failed write or a line that could not be rendered: the batch is lost, counted, and the thread goes on.
            droppedLines.addAndGet(countLines(batch));
        }
    }

    private static int countLines(String batch) {
        int n = 0;
        for (int i = 0; i < batch.length(); i++) {
            if (batch.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
