package io.junction.core.forward;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What reaches Netty's epoll registration (each submit there is one epoll_ctl system call), and when. */
class BatchingEpollIoHandlerTest {
    private static final EpollIoOps IN_RDHUP = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps OUT_RDHUP = EpollIoOps.EPOLLOUT.with(EpollIoOps.EPOLLRDHUP);

    private final BatchingEpollIoHandler.InterestBatch batch = new BatchingEpollIoHandler.InterestBatch();
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
        EpollIoHandle channel = new EpollIoHandle() {
            @Override
            public FileDescriptor fd() {
                return socket;
            }

            @Override
            public void handle(IoRegistration registration, IoEvent ioEvent) {
            }

            @Override
            public void close() {
            }
        };
        Recording channelNetty = new Recording();
        BatchingEpollIoHandler.Registration r = batch.track(channelNetty, channel);
        assertThat(r.cancel()).isTrue();
        // Netty's cancel saw a closed fd: the kernel dropped it from the epoll set with the close, no EPOLL_CTL_DEL.
        assertThat(socket.isOpen()).isFalse();
        assertThat(channelNetty.cancelled).isTrue();
        socket.close(); // Netty's own close after the cancel: nothing left to do
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
