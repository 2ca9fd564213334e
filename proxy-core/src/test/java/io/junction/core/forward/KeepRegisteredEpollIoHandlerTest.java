package io.junction.core.forward;

import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What reaches Netty's epoll registration (each submit there is one epoll_ctl system call). */
class KeepRegisteredEpollIoHandlerTest {
    private static final EpollIoOps IN_RDHUP = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);

    private final Recording netty = new Recording();
    private final KeepRegisteredEpollIoHandler.Registration registration =
            new KeepRegisteredEpollIoHandler.Registration(netty);

    @Test
    void anEmptyInterestSetKeepsTheFdRegisteredForErrorsOnly() {
        registration.submit(IN_RDHUP);
        registration.submit(EpollIoOps.NONE);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value(), EpollIoOps.EPOLLET.value());
    }

    @Test
    void aRepeatedLevelTriggeredInterestSetIsNotSubmittedAgain() {
        registration.submit(EpollIoOps.EPOLLRDHUP);
        registration.submit(EpollIoOps.EPOLLRDHUP);
        registration.submit(IN_RDHUP);
        registration.submit(IN_RDHUP);
        registration.submit(EpollIoOps.EPOLLRDHUP);
        assertThat(netty.submitted).containsExactly(EpollIoOps.EPOLLRDHUP.value(), IN_RDHUP.value(),
                EpollIoOps.EPOLLRDHUP.value());
    }

    @Test
    void edgeTriggeredInterestIsAlwaysSubmittedBecauseItReArmsTheEdge() {
        registration.submit(EpollIoOps.NONE);
        registration.submit(EpollIoOps.NONE);
        assertThat(netty.submitted).containsExactly(EpollIoOps.EPOLLET.value(), EpollIoOps.EPOLLET.value());
    }

    @Test
    void aFailedSubmitIsNotTakenAsTheCurrentInterestSet() {
        registration.submit(IN_RDHUP);
        netty.failNext = true;
        try {
            registration.submit(EpollIoOps.EPOLLRDHUP);
        } catch (IllegalStateException expected) {
            // the epoll_ctl failed: the kernel's interest set is unknown
        }
        registration.submit(EpollIoOps.EPOLLRDHUP);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value(), EpollIoOps.EPOLLRDHUP.value(),
                EpollIoOps.EPOLLRDHUP.value());
    }

    @Test
    void afterCancelTheNextInterestSetIsSubmitted() {
        registration.submit(IN_RDHUP);
        registration.cancel();
        registration.submit(IN_RDHUP);
        assertThat(netty.submitted).containsExactly(IN_RDHUP.value(), IN_RDHUP.value());
        assertThat(netty.cancelled).isTrue();
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
