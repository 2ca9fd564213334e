package io.junction.core.forward;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Works around a Netty 4.2.18 epoll bug that breaks half-closed connections: when a channel's interest set becomes
 * empty, Netty's registration removes the fd from the epoll set ({@code EPOLL_CTL_DEL}) but keeps believing it is
 * added, so the next interest it submits is an {@code EPOLL_CTL_MOD} that fails with ENOENT. A half-closed proxy
 * channel gets there routinely: once the peer's FIN is read, Netty drops EPOLLIN and EPOLLRDHUP, and when the
 * pending writes drain it drops EPOLLOUT too; the next write that fills the socket buffer asks for EPOLLOUT again,
 * the flush fails with {@code epoll_ctl(..) failed: No such file or directory}, Netty shuts the output and the
 * relayed stream is cut short.
 *
 * <p>This handler delegates everything to {@link EpollIoHandler} and changes one thing: an empty interest set is
 * submitted as {@link EpollIoOps#EPOLLET} alone, so the fd stays in the epoll set (later submits are valid MODs) and
 * is woken at most once per new error or hang-up edge, which avoids the wake-up storm that made Netty delete the fd
 * in the first place. Remove this class once the Netty in use re-adds the fd after such a delete.
 *
 * <p>It also skips a level-triggered interest set identical to the one last submitted: Netty submits the same set
 * twice in a row while finishing every outgoing connect, and each submit is an {@code epoll_ctl} system call. An
 * identical level-triggered {@code EPOLL_CTL_MOD} changes nothing; an edge-triggered one re-arms the edge, so those are
 * always passed on.
 *
 * <p>Event-loop confined like the handler it wraps ({@link #wakeup()} may be called from any thread, as there).
 */
final class KeepRegisteredEpollIoHandler extends ForwardingIoHandler {
    private KeepRegisteredEpollIoHandler(IoHandler delegate) {
        super(delegate);
    }

    /** Epoll handlers with the workaround applied. */
    static IoHandlerFactory newFactory() {
        return wrapping(EpollIoHandler.newFactory(), KeepRegisteredEpollIoHandler::new);
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(super.register(handle));
    }

    /**
     * Netty's registration with empty interest sets replaced by edge-triggered errors-only interest, and repeated
     * level-triggered interest sets skipped. Confined to the event loop, like every submit Netty makes.
     */
    static final class Registration implements IoRegistration {
        private static final long NOT_SUBMITTED = -1;

        private final IoRegistration delegate;
        /** The interest set the fd has in the epoll set, as Netty's registration returned it. */
        private long submitted = NOT_SUBMITTED;

        Registration(IoRegistration delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            EpollIoOps epollOps = (EpollIoOps) ops;
            if (epollOps.value() == EpollIoOps.NONE.value()) {
                // Epoll always reports EPOLLERR and EPOLLHUP; EPOLLET makes them one-shot per edge.
                epollOps = EpollIoOps.EPOLLET;
            } else if (epollOps.value() == submitted && !epollOps.contains(EpollIoOps.EPOLLET)) {
                return submitted;
            }
            submitted = NOT_SUBMITTED; // unknown if the submit throws
            submitted = delegate.submit(epollOps);
            return submitted;
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            submitted = NOT_SUBMITTED;
            return delegate.cancel();
        }
    }
}
