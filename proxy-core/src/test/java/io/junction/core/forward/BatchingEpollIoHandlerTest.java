package io.junction.core.forward;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ThreadAwareExecutor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What reaches Netty's epoll registration (each submit there is one epoll_ctl system call), and when. */
class BatchingEpollIoHandlerTest {
    private static final EpollIoOps IN_RDHUP = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps OUT_RDHUP = EpollIoOps.EPOLLOUT.with(EpollIoOps.EPOLLRDHUP);

    private final BatchingEpollIoHandler.InterestBatch batch = new BatchingEpollIoHandler.InterestBatch(true);
    private final Recording netty = new Recording();
    private final ClosableHandle handle = new ClosableHandle();
    private final BatchingEpollIoHandler.Registration registration = batch.track(netty, handle);

    /** One loop turn's change: recorded, then applied as the loop goes back to waiting. */
    private void turn(EpollIoOps... changes) {
        for (EpollIoOps ops : changes) {
            registration.submit(ops);
        }
        batch.apply();
    }

    @Test
    void changesReachEpollOnlyWhenTheLoopIsAboutToWait() {
        registration.submit(IN_RDHUP);
        assertThat(netty.submitted).isEmpty();
        batch.apply();
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value());
    }

    @Test
    void onlyTheLastInterestSetOfATurnIsSubmitted() {
        turn(OUT_RDHUP);
        // Finishing a connect: EPOLLOUT dropped, then EPOLLIN added, in one turn.
        turn(EpollIoOps.EPOLLRDHUP, IN_RDHUP);
        assertThat(netty.submitted).containsExactly(OUT_RDHUP.value(), IN_RDHUP.value());
    }

    @Test
    void changesThatCancelOutWithinATurnSubmitNothing() {
        turn(IN_RDHUP);
        turn(IN_RDHUP.with(EpollIoOps.EPOLLOUT), IN_RDHUP);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value());
    }

    @Test
    void everyChangedRegistrationIsAppliedInTheOrderItFirstChanged() {
        Recording otherNetty = new Recording();
        BatchingEpollIoHandler.Registration other = batch.track(otherNetty, new ClosableHandle());
        registration.submit(IN_RDHUP);
        other.submit(OUT_RDHUP);
        registration.submit(EpollIoOps.EPOLLRDHUP);
        batch.apply();
        assertThat(netty.submitted).containsExactly(EpollIoOps.EPOLLRDHUP.value());
        assertThat(otherNetty.submitted).containsExactly(OUT_RDHUP.value());
        batch.apply();
        assertThat(netty.submitted).hasSize(1);
    }

    @Test
    void anEmptyInterestSetKeepsTheFdRegisteredForErrorsOnly() {
        turn(IN_RDHUP);
        turn(EpollIoOps.NONE);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value(), EpollIoOps.EPOLLET.value());
    }

    @Test
    void aRepeatedLevelTriggeredInterestSetIsNotSubmittedAgain() {
        turn(EpollIoOps.EPOLLRDHUP);
        turn(EpollIoOps.EPOLLRDHUP);
        turn(IN_RDHUP);
        turn(IN_RDHUP);
        turn(EpollIoOps.EPOLLRDHUP);
        assertThat(netty.submitted).containsExactly(EpollIoOps.EPOLLRDHUP.value(), IN_RDHUP.value(),
                EpollIoOps.EPOLLRDHUP.value());
    }

    @Test
    void edgeTriggeredInterestIsAlwaysSubmittedBecauseItReArmsTheEdge() {
        turn(EpollIoOps.NONE);
        turn(EpollIoOps.NONE);
        assertThat(netty.submitted).containsExactly(EpollIoOps.EPOLLET.value(), EpollIoOps.EPOLLET.value());
    }

    @Test
    void aFailedSubmitClosesTheChannelAndIsNotTakenAsTheCurrentInterestSet() {
        turn(IN_RDHUP);
        netty.failNext = true;
        turn(EpollIoOps.EPOLLRDHUP);
        assertThat(handle.closed).isTrue();
        turn(EpollIoOps.EPOLLRDHUP);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value(), EpollIoOps.EPOLLRDHUP.value(),
                EpollIoOps.EPOLLRDHUP.value());
    }

    @Test
    void aCancelledRegistrationDropsItsPendingChangeAndTakesNoMore() {
        turn(IN_RDHUP);
        registration.submit(OUT_RDHUP);
        assertThat(registration.cancel()).isTrue();
        assertThat(registration.submit(IN_RDHUP)).isEqualTo(-1);
        batch.apply();
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value());
        assertThat(netty.cancelled).isTrue();
        assertThat(registration.isValid()).isFalse();
    }

    @Test
    void cancellingClosesTheFdSoNettySkipsTheEpollDelete() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll");
        Socket socket = Socket.newSocketStream();
        EpollIoHandle channel = handleOf(socket);
        Recording channelNetty = new Recording();
        BatchingEpollIoHandler.Registration r = batch.track(channelNetty, channel);
        assertThat(r.cancel()).isTrue();
        // Netty's cancel saw a closed fd: the kernel dropped it from the epoll set with the close, no EPOLL_CTL_DEL.
        assertThat(socket.isOpen()).isFalse();
        assertThat(channelNetty.cancelled).isTrue();
        socket.close(); // Netty's own close after the cancel: nothing left to do
    }

    @Test
    void junctionEpollBatchingFalseSwitchesBatchingOff() {
        assertThat(Transports.epollBatching(properties(null))).as("unset").isTrue();
        assertThat(Transports.epollBatching(properties("true"))).isTrue();
        assertThat(Transports.epollBatching(properties("false"))).isFalse();
        assertThat(Transports.epollBatching(properties(" FALSE "))).isFalse();
    }

    @Test
    void theEpollHandlersBatchUnlessThePropertySaysFalse() {
        assumeTrue(Epoll.isAvailable(), "native epoll");
        assertThat(batches(Transports.epollIoHandlerFactory(Transports.epollBatching(properties(null))))).isTrue();
        assertThat(batches(Transports.epollIoHandlerFactory(Transports.epollBatching(properties("false")))))
                .isFalse();
    }

    @Test
    void withBatchingOffEveryChangeReachesNettyAtOnceAndAnEmptySetStillKeepsTheFd() {
        BatchingEpollIoHandler.InterestBatch unbatched = new BatchingEpollIoHandler.InterestBatch(false);
        Recording direct = new Recording();
        BatchingEpollIoHandler.Registration r = unbatched.track(direct, new ClosableHandle());
        assertThat(r.submit(IN_RDHUP)).isEqualTo(IN_RDHUP.value());
        assertThat(direct.submitted).as("before the loop's next wait").containsExactly(IN_RDHUP.value());
        r.submit(IN_RDHUP);
        r.submit(EpollIoOps.NONE);
        unbatched.apply();
        // Repeats are passed on, as by Netty's own handler; the empty set is still the workaround's EPOLLET.
        assertThat(direct.submitted).containsExactly(IN_RDHUP.value(), IN_RDHUP.value(),
                EpollIoOps.EPOLLET.value());
    }

    @Test
    void withBatchingOffAFailedSubmitIsNettysToHandle() {
        BatchingEpollIoHandler.InterestBatch unbatched = new BatchingEpollIoHandler.InterestBatch(false);
        Recording direct = new Recording();
        ClosableHandle channel = new ClosableHandle();
        BatchingEpollIoHandler.Registration r = unbatched.track(direct, channel);
        direct.failNext = true;
        assertThatThrownBy(() -> r.submit(IN_RDHUP)).isInstanceOf(IllegalStateException.class);
        assertThat(channel.closed).isFalse();
    }

    @Test
    void withBatchingOffCancellingLeavesTheFdToNetty() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll");
        Socket socket = Socket.newSocketStream();
        try {
            BatchingEpollIoHandler.Registration r = new BatchingEpollIoHandler.InterestBatch(false)
                    .track(new Recording(), handleOf(socket));
            assertThat(r.cancel()).isTrue();
            assertThat(socket.isOpen()).isTrue();
        } finally {
            socket.close();
        }
    }

    private static Properties properties(String batching) {
        Properties properties = new Properties();
        if (batching != null) {
            properties.setProperty(Transports.EPOLL_BATCHING_PROPERTY, batching);
        }
        return properties;
    }

    /** Whether the factory's handlers batch; makes one real epoll handler (epoll, event and timer fds) and frees it. */
    private static boolean batches(IoHandlerFactory factory) {
        IoHandler handler = factory.newHandler(new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return true;
            }

            @Override
            public void execute(Runnable command) {
                command.run();
            }
        });
        try {
            assertThat(handler).isInstanceOf(BatchingEpollIoHandler.class);
            return ((BatchingEpollIoHandler) handler).batching();
        } finally {
            handler.destroy();
        }
    }

    private static EpollIoHandle handleOf(FileDescriptor fd) {
        return new EpollIoHandle() {
            @Override
            public FileDescriptor fd() {
                return fd;
            }

            @Override
            public void handle(IoRegistration registration, IoEvent ioEvent) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** Stands in for a channel: records whether it was closed. */
    private static final class ClosableHandle implements IoHandle {
        boolean closed;

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Stands in for Netty's registration: records every interest set handed to it. */
    private static final class Recording implements IoRegistration {
        final List<Integer> submitted = new ArrayList<>();
        boolean failNext;
        boolean cancelled;

        @Override
        public <T> T attachment() {
            return null;
        }

        @Override
        public long submit(IoOps ops) {
            submitted.add(((EpollIoOps) ops).value());
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("epoll_ctl failed");
            }
            return ((EpollIoOps) ops).value();
        }

        @Override
        public boolean isValid() {
            return !cancelled;
        }

        @Override
        public boolean cancel() {
            cancelled = true;
            return true;
        }
    }
}
