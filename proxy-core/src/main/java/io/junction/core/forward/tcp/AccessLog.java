package io.junction.core.forward.tcp;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.HostPort;
import io.junction.core.model.ServiceKey;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The access log: one line per finished (or refused) TCP connection and per ended UDP session, with {@code service},
 * {@code client}, {@code backend}, {@code bytes_in}, {@code bytes_out}, {@code duration_ms}, {@code result} and
 * {@code reason}. Turned on and off by the level of the {@code junction.access} logger ({@code proxy.accessLog});
 * written as text or as JSON lines ({@link #format}, {@code proxy.accessLogFormat}).
 *
 * <p>Why not a logger call per line: on a machine where every thread wake-up and system call is expensive, an
 * asynchronous appender costs a queue lock shared by all workers, a wake-up of its thread and a {@code write(2)} per
 * connection (26 µs of proxy CPU per connection in a backend-closes-first run). Here each event loop formats its
 * lines into its own buffer, without boxing, and hands the buffer over whole (when it holds 16 KiB, or 50 ms after
 * its first line), so the writer thread wakes and writes once per batch. A line is therefore at most 50 ms late.
 *
 * <p>Thread-safe: lines are written on the loop that ends the connection, into that loop's buffer.
 */
public final class AccessLog {
    private static final Logger access = LoggerFactory.getLogger("junction.access");
    static final int BATCH_CHARS = 16 * 1024;
    static final long BATCH_DELAY_MILLIS = 50;

    private static final FastThreadLocal<Batch> BATCH = new FastThreadLocal<>() {
        @Override
        protected Batch initialValue() {
            return new Batch();
        }

        /** The loop's thread ends (shutdown): what it still holds goes to the writer. */
        @Override
        protected void onRemoval(Batch batch) {
            batch.run();
        }
    };

    private AccessLog() {
    }

    /** One event loop's lines not handed over yet. */
    private static final class Batch implements Runnable {
        final StringBuilder lines = new StringBuilder(BATCH_CHARS + 512);
        final AccessLogTime time = new AccessLogTime();
        boolean flushScheduled;

        /** Starts a line: the time and the service. */
        StringBuilder start(ServiceKey service) {
            time.appendNow(lines);
            return lines.append(" access service=").append(service);
        }

        /** Ends a line; hands the batch over when full, or makes sure it is handed over soon. */
        void end(EventLoop loop) {
            lines.append('\n');
            if (lines.length() >= BATCH_CHARS) {
                run();
            } else if (!flushScheduled && loop != null) {
                flushScheduled = true;
                loop.schedule(this, BATCH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** Hands the batch to the writer (scheduled, or when full). */
        @Override
        public void run() {
            flushScheduled = false;
            if (lines.length() > 0) {
                AccessLogWriter.INSTANCE.offer(lines.toString());
                lines.setLength(0);
            }
        }
    }

    /**
     * Waits up to {@code millis} for every batch handed over so far to be written (at shutdown, after the event loops
     * ended); returns whether all were.
     */
    public static boolean awaitWritten(long millis) {
        return AccessLogWriter.INSTANCE.awaitIdle(millis);
    }

    /**
     * Writes the lines as {@code format} from now on. The loops' work does not change: only the writer thread renders
     * JSON.
     */
    public static void format(AccessLogFormat format) {
        AccessLogWriter.INSTANCE.format(format);
    }

    /** Lines dropped because standard output could not keep up. */
    public static long droppedLines() {
        return AccessLogWriter.INSTANCE.droppedLines();
    }

    static boolean enabled() {
        return access.isInfoEnabled();
    }

    static void finished(EventLoop loop, ServiceKey service, SocketAddress client, Backend backend, long bytesIn,
                         long bytesOut, long durationNanos, String result, FailureReason reason) {
        if (!enabled()) {
            return;
        }
        Batch batch = BATCH.get();
        StringBuilder b = batch.start(service).append(" client=").append(HostPort.format(client)).append(" backend=");
        if (backend == null) {
            b.append('-');
        } else {
            b.append(backend.endpoint().hostPort());
        }
        b.append(" bytes_in=").append(bytesIn).append(" bytes_out=").append(bytesOut)
                .append(" duration_ms=").append(TimeUnit.NANOSECONDS.toMillis(durationNanos))
                .append(" result=").append(result).append(" reason=").append(reason == null ? "-" : reason.tag());
        batch.end(loop);
    }

    /**
     * A UDP session ended: {@code result} {@code expired} (idle for the session timeout) or {@code closed} (its
     * listener closed). {@code backend} is the one the session was bound to last, or null; the bytes count every
     * datagram forwarded each way over the session's life.
     */
    public static void sessionEnded(EventLoop loop, ServiceKey service, SocketAddress client, Backend backend,
                                    long bytesIn, long bytesOut, long durationNanos, String result) {
        finished(loop, service, client, backend, bytesIn, bytesOut, durationNanos, result, null);
    }

    static void rejected(EventLoop loop, ServiceKey service, SocketAddress client, FailureReason reason) {
        rejected(loop, service, client, reason.tag());
    }

    /** A connection refused before it had a backend, for {@code reason} (a tag such as {@code connection_limit}). */
    static void rejected(EventLoop loop, ServiceKey service, SocketAddress client, String reason) {
        if (!enabled()) {
            return;
        }
        Batch batch = BATCH.get();
        batch.start(service).append(" client=").append(HostPort.format(client)).append(" backend=- bytes_in=0 bytes_out=0 duration_ms=0 result=rejected reason=")
                .append(reason);
        batch.end(loop);
    }
}
