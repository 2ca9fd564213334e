package io.junction.core.forward;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a worker loop gives up its core: only after turns that handled I/O, at most once per interval. */
class YieldingIoHandlerTest {
    private static final long INTERVAL = 100_000;

    private final Turns turns = new Turns();
    private long now = 1_000_000;
    private int yields;
    private final YieldingIoHandler handler = new YieldingIoHandler(turns, INTERVAL, () -> now, () -> yields++);

    @Test
    void aBusyTurnAfterTheIntervalYieldsOnce() {
        now += INTERVAL;
        assertThat(run(3)).isEqualTo(3);
        assertThat(yields).isEqualTo(1);
    }

    @Test
    void busyTurnsWithinTheIntervalDoNotYield() {
        now += INTERVAL - 1;
        run(5);
        assertThat(yields).as("one nanosecond short of the interval").isZero();
        now += 1;
        run(5);
        assertThat(yields).isEqualTo(1);
        now += INTERVAL / 2;
        run(5);
        assertThat(yields).as("half an interval after the last yield").isEqualTo(1);
        now += INTERVAL / 2;
        run(5);
        assertThat(yields).isEqualTo(2);
    }

    @Test
    void anIdleTurnNeverYields() {
        now += 10 * INTERVAL;
        run(0);
        run(0);
        assertThat(yields).isZero();
    }

    @Test
    void zeroIntervalLeavesTheFactoryAsItIs() {
        IoHandlerFactory nio = NioIoHandler.newFactory();
        assertThat(YieldingIoHandler.wrap(nio, 0)).isSameAs(nio);
        assertThat(YieldingIoHandler.wrap(nio, INTERVAL)).isNotSameAs(nio);
        assertThatThrownBy(() -> YieldingIoHandler.wrap(nio, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private int run(int handled) {
        turns.next.add(handled);
        return handler.run(null);
    }

    /** A handler whose turns handle as many events as queued. */
    private static final class Turns implements IoHandler {
        final Deque<Integer> next = new ArrayDeque<>();

        @Override
        public int run(IoHandlerContext context) {
            return next.remove();
        }

        @Override
        public void wakeup() {
        }

        @Override
        public IoRegistration register(IoHandle handle) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return false;
        }
    }
}
