package io.junction.core.health;

import io.junction.core.forward.Transports;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One probe of one target, from the connect to its single result: opens a connection on the target's event loop
 * through the proxy's transport, lets the {@link Probe} of the check's type run the exchange, fails it when
 * {@code timeout} passes first, and closes the connection whatever happens. The result is delivered exactly once,
 * unless the attempt is aborted (its target was released), in which case it is never delivered.
 *
 * <p>The deadline covers the whole probe (connect and answer) with one timer; the channel's connect timeout is set to
 * the same value as well, so that a connect never outlives the probe even if the timer were late.
 *
 * <p>Event-loop confined: created, started and finished on the target's loop.
 */
final class ProbeAttempt implements ChannelFutureListener {
    private final ProbeTarget target;
    private final EventLoop loop;
    private final Probe probe;
    private final Consumer<ProbeResult> done;
    private Instant at;
    private long startNanos;
    private SocketChannel channel;
    private ScheduledFuture<?> deadline;
    private boolean finished;

    ProbeAttempt(ProbeTarget target, EventLoop loop, Consumer<ProbeResult> done) {
        this.target = target;
        this.loop = loop;
        this.probe = Probe.of(target.check().type());
        this.done = done;
    }

    ProbeTarget target() {
        return target;
    }

    void start() {
        at = Instant.now();
        startNanos = System.nanoTime();
        Duration timeout = target.check().timeout();
        deadline = loop.schedule(() -> fail(timedOut()), timeout.toNanos(), TimeUnit.NANOSECONDS);
        SocketChannel ch;
        try {
            ch = Transports.socketChannelFactory(target.address()).newChannel();
        } catch (RuntimeException e) { // e.g. EMFILE from socket(2)
            fail(e);
            return;
        }
        try {
            ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            probe.prepare(ch, this);
        } catch (RuntimeException e) {
            ch.unsafe().closeForcibly();
            fail(e);
            return;
        }
        channel = ch;
        // Registered and connected directly, not through a Bootstrap, as ConnectAttempt does: the address is resolved
        // and the connect starts now, on this loop.
        loop.register(ch).addListener((ChannelFutureListener) registered -> {
            if (!registered.isSuccess()) {
                fail(registered.cause());
            } else if (!finished) {
                ch.connect(target.address()).addListener(this);
            }
        });
    }

    @Override
    public void operationComplete(ChannelFuture connect) {
        if (finished) {
            return; // timed out or aborted meanwhile; the channel is closed already
        }
        if (connect.isSuccess()) {
            probe.connected(channel, this);
        } else {
            fail(connect.cause());
        }
    }

    void pass(String detail) {
        finish(true, detail);
    }

    void fail(String detail) {
        finish(false, detail);
    }

    void fail(Throwable cause) {
        fail(cause instanceof ConnectTimeoutException ? timedOut() : describe(cause));
    }

    /** Stops the probe without a result: its target is no longer probed. */
    void abort() {
        if (!finished) {
            finished = true;
            release();
        }
    }

    private void finish(boolean passed, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        release();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        done.accept(new ProbeResult(passed, detail, at, took));
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (channel != null) {
            if (channel.isRegistered()) {
                channel.close();
            } else {
                channel.unsafe().closeForcibly();
            }
        }
    }

    private String timedOut() {
        return "timed out after " + format(target.check().timeout());
    }

    /** {@code 1s}, {@code 1500ms}: durations the way a check's config states them. */
    static String format(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * A short, stable text for a failure: the usual connect errors by name, without Netty's annotations
     * ({@code finishConnect(..) failed: Connection refused: /127.0.0.1:8080} reads as {@code connection refused});
     * anything else by its message.
     */
    static String describe(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("connection refused")) {
            return "connection refused";
        }
        if (lower.contains("connection reset")) {
            return "connection reset";
        }
        if (cause instanceof NoRouteToHostException || lower.contains("no route to host")) {
            return "no route to host";
        }
        if (lower.contains("network is unreachable")) {
            return "network unreachable";
        }
        String name = cause instanceof ConnectException ? "connect failed" : cause.getClass().getSimpleName();
        return cause.getMessage() == null ? name : name + ": " + message;
    }
}
