package io.junction.agent.discovery.consul;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * One watch of one Consul read, as Consul's blocking-query guide says: each request carries the last
 * {@code X-Consul-Index} (none at first, so it answers at once); an index that goes backwards resets to 0 (a fresh
 * read) and one of 0 or less becomes 1; an answer is handed on only when its index moved (a blocking query may wake
 * without a change). The loop is rate-limited: a request starts at least {@link #SPACING_CHANGED} after the one before
 * when the state changed, and {@link #SPACING_UNCHANGED} when it did not or the next read will not block. A failure
 * (no connection, a status other than 200, a body that does not parse) backs off with jitter and then reads afresh
 * (index 0), so a registry that restarted with a lower index is read at once rather than after a whole wait.
 *
 * <p>Confined to the owning source's single thread ({@code loop}); the HTTP client completes on its own threads and
 * every completion is handed back to the loop.
 */
final class BlockingQuery {
    static final Duration SPACING_CHANGED = Duration.ofMillis(100);
    static final Duration SPACING_UNCHANGED = Duration.ofSeconds(1);

    /** What the owner hears besides the answers. Called on the loop. */
    interface Outcomes {
        void onSuccess(BlockingQuery query);

        void onFailure(BlockingQuery query, String message, Throwable cause);
    }

    private final String what;
    private final LongFunction<CompletableFuture<HttpResponse<byte[]>>> request;
    private final Consumer<byte[]> onAnswer;
    private final ConsulClient client;
    private final ScheduledExecutorService loop;
    private final Executor onLoop;
    private final Backoff backoff;
    private final Outcomes outcomes;

    private long index;
    private int failures;
    private long startedAt;
    private boolean closed;
    private CompletableFuture<HttpResponse<byte[]>> inFlight;
    private ScheduledFuture<?> timer;

    /**
     * @param what     what is watched, for logs and errors ({@code catalog}, {@code service web})
     * @param request  sends the read with an index (0: a first read)
     * @param onAnswer takes a new answer's body; throws {@link IllegalArgumentException} when it is not the expected
     *                 shape (the watch then fails and retries, the last good state stays)
     */
    BlockingQuery(String what, LongFunction<CompletableFuture<HttpResponse<byte[]>>> request,
                  Consumer<byte[]> onAnswer, ConsulClient client, ScheduledExecutorService loop, Backoff backoff,
                  Outcomes outcomes) {
        this.what = what;
        this.request = request;
        this.onAnswer = onAnswer;
        this.client = client;
        this.loop = loop;
        // A completion that arrives while the source shuts its loop down has nothing left to do.
        this.onLoop = task -> {
            if (!loop.isShutdown()) {
                loop.execute(task);
            }
        };
        this.backoff = backoff;
        this.outcomes = outcomes;
    }

    String what() {
        return what;
    }

    /** The index the next request carries (0: a fresh read). */
    long index() {
        return index;
    }

    void start() {
        send();
    }

    /** Stops the watch: the request in flight is cancelled (its connection closed), no further one is sent. */
    void close() {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (inFlight != null) {
            inFlight.cancel(true);
        }
    }

    private void send() {
        timer = null;
        if (closed) {
            return;
        }
        startedAt = System.nanoTime();
        long sent = index;
        CompletableFuture<HttpResponse<byte[]>> f = request.apply(sent);
        inFlight = f;
        f.whenCompleteAsync((r, e) -> onResponse(f, sent, r, e), onLoop);
    }

    private void onResponse(CompletableFuture<?> f, long sent, HttpResponse<byte[]> r, Throwable e) {
        if (closed || f != inFlight) {
            return;
        }
        inFlight = null;
        if (e != null) {
            fail(describe(e), e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            return;
        }
        if (r.statusCode() != 200) {
            fail("HTTP " + r.statusCode() + bodySnippet(r.body()), null);
            return;
        }
        long answered = parseIndex(r);
        // Without an index header nothing tells a change from a timeout: every answer is handed on.
        boolean moved = sent == 0 || answered < 0 || answered != sent;
        if (moved) {
            try {
                onAnswer.accept(r.body());
            } catch (IllegalArgumentException bad) {
                fail("unexpected answer: " + bad.getMessage(), bad);
                return;
            }
        }
        client.recordOk();
        failures = 0;
        index = nextIndex(sent, answered);
        outcomes.onSuccess(this);
        Duration spacing = moved && index > 0 ? SPACING_CHANGED : SPACING_UNCHANGED;
        schedule(startedAt + spacing.toNanos() - System.nanoTime());
    }

    /** Consul's rules for the index to send next, given the one sent and the one answered (-1: none). */
    static long nextIndex(long sent, long answered) {
        if (answered < 0 || answered < sent) {
            return 0;
        }
        return Math.max(answered, 1);
    }

    private void fail(String message, Throwable cause) {
        client.recordError();
        failures++;
        index = 0;
        outcomes.onFailure(this, message, cause);
        schedule(backoff.delay(failures).toNanos());
    }

    private void schedule(long delayNanos) {
        if (closed) {
            return;
        }
        if (loop.isShutdown()) {
            return;
        }
        timer = loop.schedule(this::send, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private static long parseIndex(HttpResponse<?> r) {
        String header = r.headers().firstValue(ConsulClient.INDEX_HEADER).orElse(null);
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    private static String bodySnippet(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8).strip().replace('\n', ' ').replace('\r', ' ');
        if (s.isEmpty()) {
            return "";
        }
        return ": " + (s.length() <= 120 ? s : s.substring(0, 117) + "...");
    }
}
