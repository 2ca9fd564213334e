package io.junction.core.forward.tcp;

import io.junction.core.clock.CoarseClock;
import io.junction.core.clock.NanoClock;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a proxied connection after {@code timeout} without activity in either direction. Activity is a read on
 * either side, a side becoming writable again (a slow reader draining), or a splice wake-up; each costs one
 * {@link CoarseClock} read and a field store, with nothing allocated. One task per connection sits on the event
 * loop's scheduler and re-arms itself only when it fires (at most once per timeout), for the time left since the
 * last activity.
 *
 * <p>This replaces Netty's {@code IdleStateHandler}, which (to observe output progress) swaps every void write
 * promise for a real one and adds a listener to it: an allocation per forwarded buffer.
 *
 * <p>Event-loop confined (the client channel's loop).
 */
final class IdleTimer implements Runnable {
    private final TcpConnection connection;
    private final EventLoop loop;
    private final long timeoutNanos;
    private final NanoClock clock;
    private long lastActivityNanos;
    private ScheduledFuture<?> task;
    private boolean stopped;

    /** @param clock measures idleness ({@link NanoClock#COARSE} outside tests); the loop's scheduler only wakes it */
    IdleTimer(TcpConnection connection, EventLoop loop, long timeoutNanos, NanoClock clock) {
        this.connection = connection;
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
        this.lastActivityNanos = clock.nanoTime();
        this.task = loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Something moved. */
    void touch() {
        lastActivityNanos = clock.nanoTime();
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        long idle = clock.nanoTime() - lastActivityNanos;
        if (idle >= timeoutNanos) {
            stopped = true;
            connection.teardown().onIdle();
        } else {
            // The coarse clock may lag the scheduler by one tick; never re-arm for less than a tick.
            long left = Math.max(timeoutNanos - idle, TimeUnit.MILLISECONDS.toNanos(CoarseClock.TICK_MILLIS));
            task = loop.schedule(this, left, TimeUnit.NANOSECONDS);
        }
    }

    /** The connection ended: drop the pending check. */
    void stop() {
        stopped = true;
        task.cancel(false);
    }
}
