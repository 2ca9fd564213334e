package io.junction.agent.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Keeps the {@code inet junction} table equal to what {@code desired} says, on its own thread
 * ({@code junction-nft}) so that neither the control thread nor a source ever waits for nft. {@link #request()} is
 * debounced: requests within one debounce interval become one look at {@code desired}, and nft runs only when the
 * rules differ from those last applied. {@link #start()} replaces whatever table is there (stale rules of a crashed
 * agent point at ports that may now belong to someone else), {@link #close()} removes the table. A refused script is
 * logged with nft's standard error, counted and shown in {@link #status()}; the rules are retried at every
 * {@link #RECHECK} until nft takes them. The recheck also picks up a listener bound late (a retried bind).
 *
 * <p>Thread-safe: {@link #request()} from any thread; the apply state is confined to the programmer's thread and the
 * status fields are volatile.
 */
public final class NftProgrammer implements AutoCloseable {
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
    static final Duration RECHECK = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(NftProgrammer.class);
    private static final long CLOSE_TIMEOUT_SECONDS = 15;

    private final Supplier<Set<Redirect>> desired;
    private final NftRunner runner;
    private final long debounceMillis;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // Programmer thread.
    private Set<Redirect> applied;
    private boolean closed;

    private volatile int rules;
    private volatile long applies;
    private volatile long failures;
    private volatile String lastError;
    private volatile Instant lastApplied;

    /**
     * @param desired  the rules wanted now; called on the programmer's thread, must be cheap and must not block
     * @param runner   runs scripts ({@link NftRunner#command} in production)
     * @param debounce how long a request waits for more requests before the rules are looked at
     */
    public NftProgrammer(Supplier<Set<Redirect>> desired, NftRunner runner, Duration debounce) {
        this.desired = Objects.requireNonNull(desired, "desired");
        this.runner = Objects.requireNonNull(runner, "runner");
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
        }
        this.debounceMillis = debounce.toMillis();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-nft");
            t.setDaemon(true);
            return t;
        });
    }

    /** Replaces the table now with the desired rules (the reconcile at start), then rechecks periodically. */
    public void start() {
        thread.execute(this::sync);
        thread.scheduleWithFixedDelay(this::request, RECHECK.toMillis(), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The desired rules may have changed: look at them after the debounce interval. Any thread; never blocks. */
    public void request() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.schedule(() -> {
                scheduled.set(false);
                sync();
            }, debounceMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed: the table is gone or going, nothing to do.
        }
    }

    /** Programmer thread. */
    private void sync() {
        if (closed) {
            return;
        }
        Set<Redirect> want;
        try {
            want = new TreeSet<>(desired.get());
        } catch (RuntimeException e) {
            log.error("nft=skipped reason=\"desired rules failed\"", e);
            return;
        }
        if (want.equals(applied)) {
            return;
        }
        long t0 = System.nanoTime();
        NftRunner.Result result = runner.run(NftRuleset.replace(want));
        if (result.ok()) {
            applied = want;
            rules = want.size();
            applies++;
            lastApplied = Instant.now();
            lastError = null;
            log.info("nft=applied table=\"{}\" rules={} took_ms={}", NftRuleset.TABLE, want.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } else {
            failures++;
            String error = "nft exit " + result.exitCode() + ": " + result.stderr();
            // Retried every RECHECK with the same outcome: say it again only when the reason changes.
            if (!error.equals(lastError)) {
                log.error("nft=failed table=\"{}\" rules={} retry=every_{}s stderr=\"{}\"", NftRuleset.TABLE,
                        want.size(), RECHECK.toSeconds(), result.stderr());
            }
            lastError = error;
        }
    }

    /** What node mode's table looks like, for {@code /api/status}. Any thread. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", NftRuleset.TABLE);
        m.put("rules", rules);
        m.put("applies", applies);
        m.put("failures", failures);
        Instant at = lastApplied;
        m.put("lastApplied", at == null ? null : at.toString());
        m.put("error", lastError);
        return m;
    }

    public int rules() {
        return rules;
    }

    public long applies() {
        return applies;
    }

    public long failures() {
        return failures;
    }

    /** The last refusal, or null when the last attempt succeeded. */
    public String lastError() {
        return lastError;
    }

    /** Removes the table (clean shutdown) and stops the thread; waits at most 15 s. Runs once. */
    @Override
    public void close() {
        try {
            thread.submit(() -> {
                if (closed) {
                    return;
                }
                closed = true;
                NftRunner.Result result = runner.run(NftRuleset.remove());
                if (result.ok()) {
                    log.info("nft=removed table=\"{}\"", NftRuleset.TABLE);
                } else {
                    log.error("nft=remove_failed table=\"{}\" stderr=\"{}\"", NftRuleset.TABLE, result.stderr());
                }
            }).get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            return; // closed before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("nft=remove_failed table=\"{}\"", NftRuleset.TABLE, e);
        } finally {
            thread.shutdownNow();
        }
    }
}
