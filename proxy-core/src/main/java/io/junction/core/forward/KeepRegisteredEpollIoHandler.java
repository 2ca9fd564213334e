package io.junction.core.forward;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

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
 * <p>Event-loop confined like the handler it wraps ({@link #wakeup()} may be called from any thread, as there).
 */
final class KeepRegisteredEpollIoHandler implements IoHandler {
    private final IoHandler delegate;

    private KeepRegisteredEpollIoHandler(IoHandler delegate) {
        this.delegate = delegate;
    }

    /** Epoll handlers with the workaround applied. */
    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new KeepRegisteredEpollIoHandler(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return delegate.run(context);
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(delegate.register(handle));
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }

    /** Netty's registration with empty interest sets replaced by edge-triggered errors-only interest. */
    private static final class Registration implements IoRegistration {
        private final IoRegistration delegate;

        Registration(IoRegistration delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps epollOps && epollOps.value() == EpollIoOps.NONE.value()) {
                // Epoll always reports EPOLLERR and EPOLLHUP; EPOLLET makes them one-shot per edge.
                return delegate.submit(EpollIoOps.EPOLLET);
            }
            return delegate.submit(ops);
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }
}
