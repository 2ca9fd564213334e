package io.junction.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open channels of a generator (a Netty {@link ChannelGroup}, which forgets closed channels by itself) plus a
 * count of operations in flight, used to drain and close at the end of a run. Thread-safe.
 */
final class ChannelSet {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ChannelGroup channels = new DefaultChannelGroup("bench-clients", GlobalEventExecutor.INSTANCE);
    final AtomicInteger inFlight = new AtomicInteger();

    void add(Channel ch) {
        channels.add(ch);
    }

    /** Waits for every connect; keeps the channels that connected and counts each failure as an error. */
    void addConnected(List<ChannelFuture> connects, Tally tally) throws InterruptedException {
        for (ChannelFuture f : connects) {
            f.await();
            if (f.isSuccess()) {
                channels.add(f.channel());
            } else {
                tally.errors.increment();
            }
        }
    }

    /** End of a run: stop issuing, let in-flight operations finish (bounded by {@code drain}), close everything. */
    void stop(LoadControl control, Duration drain) throws InterruptedException {
        control.stop();
        awaitIdle(drain);
        closeAll();
    }

    /** Waits, bounded by {@code drain}, until no operation is in flight. Polls because it runs once per run. */
    void awaitIdle(Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
        }
    }

    /** Closes every open channel and waits up to two seconds for the closes to finish. */
    void closeAll() {
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
