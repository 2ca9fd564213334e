package io.junction.agent.registry.persist;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the registry's state off the event loop: the loop hands over each new encoded state, and one background
 * thread writes the latest one; states handed over while a write runs collapse into the next write. The loop
 * debounces before encoding, so a burst of registrations costs one write. A failed write is logged (once per run
 * of failures) and the state written again with the next change or at close.
 *
 * <p>Thread-safe.
 */
public final class StateWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateWriter.class);

    private final StateFile file;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "junction-registry-state");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<byte[]> pending = new AtomicReference<>();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean failing;

    public StateWriter(StateFile file) {
        this.file = file;
    }

    /** Schedules {@code content} to be written; returns at once. */
    public void submit(byte[] content) {
        if (pending.getAndSet(content) == null) {
            thread.execute(this::writePending);
        }
    }

    private void writePending() {
        byte[] content = pending.getAndSet(null);
        if (content == null) {
            return;
        }
        try {
            file.write(content);
            writes.incrementAndGet();
            if (failing) {
                failing = false;
                log.info("registry=state_written file={} recovered=true", file.path());
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("registry=state_write_failed file={} error=\"{}\" retry=next_change", file.path(),
                        e.toString());
            }
        }
    }

    /** States written so far. */
    public long writes() {
        return writes.get();
    }

    /** Writes {@code last} (if not null) and stops, waiting up to 5 s for the write. */
    public void close(byte[] last) {
        if (last != null) {
            submit(last);
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("registry=state_write_slow file={} waited=5s", file.path());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(null);
    }
}
