package io.junction.core.forward;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandler;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Watches for the Netty epoll bug that {@link BatchingEpollIoHandler} works around, on Netty's classes alone: an empty
 * interest set makes Netty's registration delete the fd from the epoll set ({@code EPOLL_CTL_DEL}) while it goes on
 * treating the fd as added, so the next interest set is an {@code EPOLL_CTL_MOD} that fails with ENOENT. The bug came
 * with netty/netty#16689; no upstream issue reports it. This test passes while the bug is there and fails once a
 * Netty upgrade fixes it: then the empty-interest workaround in {@link BatchingEpollIoHandler} can go (see
 * docs/netty-coupling.md).
 */
class NettyEpollDeletedFdSentinelTest {
    private static final String FIXED = "Netty fixed the EPOLL_CTL_MOD after its own EPOLL_CTL_DEL (the bug that came "
            + "with netty/netty#16689; no upstream issue was filed); BatchingEpollIoHandler's workaround can go";

    @Test
    void nettysRegistrationFailsTheInterestSetAfterAnEmptyOne() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll");
        IoHandler epoll = EpollIoHandler.newFactory().newHandler(new CallingThread());
        FileDescriptor[] pipe = FileDescriptor.pipe();
        try {
            IoRegistration registration = epoll.register(new PipeEnd(pipe[0]));
            assertThat(registration.submit(EpollIoOps.EPOLLIN)).as("EPOLL_CTL_ADD")
                    .isEqualTo(EpollIoOps.EPOLLIN.value());
            // Nothing to wait for, as on a half-closed channel with nothing left to write: Netty deletes the fd.
            registration.submit(EpollIoOps.NONE);

            Throwable thrown = catchThrowable(() -> registration.submit(EpollIoOps.EPOLLIN));

            assertThat(thrown).withFailMessage(FIXED).isInstanceOf(UncheckedIOException.class);
            assertThat(thrown.getCause()).as("the failed epoll_ctl").hasMessageContaining("No such file or directory");
            registration.cancel();
        } finally {
            epoll.destroy();
            pipe[0].close();
            pipe[1].close();
        }
    }

    /** The read end of a pipe with no writer activity: never ready, so epoll reports nothing for it. */
    private record PipeEnd(FileDescriptor fd) implements EpollIoHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
        }

        @Override
        public void close() {
        }
    }

    /** Runs Netty's handler on the test thread, as if it were the handler's event loop. */
    private static final class CallingThread implements ThreadAwareExecutor {
        @Override
        public boolean isExecutorThread(Thread thread) {
            return true;
        }

        @Override
        public void execute(Runnable command) {
            command.run();
        }
    }
}
