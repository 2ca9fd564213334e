package io.junction.core.forward;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's {@link EpollIoHandler} with the interest changes of a loop turn batched, as HAProxy and nginx do: a channel's
 * new interest set is recorded, and only the last one of each channel is passed to epoll, right before the loop next
 * waits for events. Every change Netty makes is an {@code epoll_ctl} system call, and a proxied connection makes
 * several that cancel out within one turn: finishing the backend connect drops EPOLLOUT and then adds EPOLLIN, and the
 * client's FIN drops EPOLLIN and then EPOLLRDHUP. Deferring is safe because nothing reads the kernel's interest set
 * before the next wait: the events of the current turn were collected already, and a channel closed in the meantime
 * drops its pending change.
 *
 * <p>It also changes three smaller things; with all four, a short proxied connection costs four {@code epoll_ctl}
 * calls instead of nine:
 * <ul>
 *   <li>A closing channel's fd is closed when its registration is cancelled, which removes it from the epoll set
 *   without Netty's {@code EPOLL_CTL_DEL} (see {@link Registration#cancel()}).</li>
 *   <li>A workaround for a Netty 4.2.18 bug that breaks half-closed connections: when a channel's interest set becomes
 *   empty, Netty's registration removes the fd from the epoll set ({@code EPOLL_CTL_DEL}) but keeps believing it is
 *   added, so the next interest it submits is an {@code EPOLL_CTL_MOD} that fails with ENOENT. A half-closed proxy
 *   channel gets there routinely: once the peer's FIN is read, Netty drops EPOLLIN and EPOLLRDHUP, and when the pending
 *   writes drain it drops EPOLLOUT too; the next write that fills the socket buffer asks for EPOLLOUT again, the flush
 *   fails with {@code epoll_ctl(..) failed: No such file or directory}, Netty shuts the output and the relayed stream
 *   is cut short. Here an empty interest set is submitted as {@link EpollIoOps#EPOLLET} alone, so the fd stays in the
 *   epoll set (later submits are valid MODs) and is woken at most once per new error or hang-up edge, which avoids
 *   the wake-up storm that made Netty delete the fd in the first place. Remove this once the Netty in use re-adds the
 *   fd after such a delete.</li>
 *   <li>A level-triggered interest set identical to the one epoll has is not submitted again (an identical
 *   level-triggered {@code EPOLL_CTL_MOD} changes nothing; an edge-triggered one re-arms the edge, so those are always
 *   passed on).</li>
 * </ul>
 *
 * <p><b>Switching it off.</b> With the system property {@code junction.epoll.batching=false} (read once, by
 * {@link Transports} when it picks the transport) every interest change is passed to Netty's registration at once, the
 * fd is left for Netty to remove from the epoll set, and repeated interest sets are passed on: epoll then behaves as
 * Netty's own handler does, except for the workaround above, which stays because without it half-closed connections
 * break. That is for telling apart, on some later Netty, a problem of this handler from one of Netty's.
 *
 * <p><b>Upstream.</b> The deleted-but-still-added registration comes from netty/netty pull request #16689 ("Epoll:
 * Correctly delete fd from epoll if there is nothing to handle", the fix for issue #16683), which made an empty
 * interest set an {@code EPOLL_CTL_DEL} without moving the registration back to its not-yet-added state. There is no
 * upstream issue to link: as of Netty 4.2.18.Final no netty/netty issue or pull request reports the failing
 * {@code EPOLL_CTL_MOD} that follows (the nearest are #16689 itself and its follow-up #16728, which corrected
 * channels' initial interest sets). {@code NettyEpollDeletedFdSentinelTest} reproduces the bug on Netty's classes
 * alone and fails once a Netty upgrade fixes it; docs/netty-coupling.md says what to do then.
 *
 * <p>Event-loop confined like the handler it wraps ({@link #wakeup()} may be called from any thread, as there). Netty
 * changes a channel's interest only on the channel's loop.
 */
final class BatchingEpollIoHandler extends ForwardingIoHandler {
    private static final Logger log = LoggerFactory.getLogger(BatchingEpollIoHandler.class);

    private final InterestBatch batch;

    private BatchingEpollIoHandler(IoHandler delegate, boolean batching) {
        super(delegate);
        this.batch = new InterestBatch(batching);
    }

    /**
     * Epoll handlers with batched interest changes, or with {@code batching} false Netty's epoll handlers with only
     * the workaround of the empty interest set (see the class comment).
     */
    static IoHandlerFactory newFactory(boolean batching) {
        return wrapping(EpollIoHandler.newFactory(), delegate -> new BatchingEpollIoHandler(delegate, batching));
    }

    /** Whether this handler batches interest changes ({@code junction.epoll.batching} not {@code false}). */
    boolean batching() {
        return batch.batching;
    }

    @Override
    public int run(IoHandlerContext context) {
        // Netty's run() is where the loop waits for events: the kernel must have the interest sets before that.
        batch.apply();
        return super.run(context);
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return batch.track(super.register(handle), handle);
    }

    /** The registrations of one loop and the interest changes they have not passed to epoll yet. */
    static final class InterestBatch {
        /** Registrations with a recorded change, in the order of their first change this turn. */
        private final List<Registration> changed = new ArrayList<>();
        /** False: each change goes to Netty at once and nothing is recorded. */
        final boolean batching;

        InterestBatch(boolean batching) {
            this.batching = batching;
        }

        Registration track(IoRegistration delegate, IoHandle handle) {
            return new Registration(this, delegate, handle);
        }

        /** Passes each recorded interest set to epoll. */
        void apply() {
            // Indexed: applying may close a channel whose close records changes of other channels, appended here.
            for (int i = 0; i < changed.size(); i++) {
                changed.get(i).apply();
            }
            changed.clear();
        }

        void add(Registration registration) {
            changed.add(registration);
        }
    }

    /**
     * One channel's registration: records interest sets, and on {@link #apply()} submits the last one to Netty's
     * registration (one {@code epoll_ctl}) unless epoll has it already.
     */
    static final class Registration implements IoRegistration {
        private static final long NONE = -1;

        private final InterestBatch batch;
        private final IoRegistration delegate;
        private final IoHandle handle;
        /** The interest set the fd has in the epoll set, as Netty's registration returned it; NONE if unknown. */
        private long submitted = NONE;
        /** The interest set recorded this turn; NONE if there is no change to apply. */
        private long pending = NONE;
        private boolean queued;
        private boolean cancelled;

        Registration(InterestBatch batch, IoRegistration delegate, IoHandle handle) {
            this.batch = batch;
            this.delegate = delegate;
            this.handle = handle;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (cancelled) {
                return -1; // as Netty's registration answers once cancelled
            }
            int value = ((EpollIoOps) ops).value();
            // Epoll always reports EPOLLERR and EPOLLHUP; EPOLLET makes them one-shot per edge.
            int wanted = value == EpollIoOps.NONE.value() ? EpollIoOps.EPOLLET.value() : value;
            if (!batch.batching) {
                // As Netty's own handler: one epoll_ctl now; a failure is Netty's to handle, as it would be there.
                return delegate.submit(wanted == value ? ops : EpollIoOps.valueOf(wanted));
            }
            pending = wanted;
            if (!queued) {
                queued = true;
                batch.add(this);
            }
            return pending;
        }

        void apply() {
            queued = false;
            long wanted = pending;
            pending = NONE;
            if (wanted == NONE || cancelled
                    || (wanted == submitted && (wanted & EpollIoOps.EPOLLET.value()) == 0)) {
                return;
            }
            submitted = NONE; // unknown if the submit throws
            try {
                submitted = delegate.submit(EpollIoOps.valueOf((int) wanted));
            } catch (RuntimeException e) {
                // Netty closes a channel whose epoll_ctl fails (something is wrong with the fd or epoll); so do we.
                log.debug("event=epoll_ctl_failed handle={} ops={}", handle, wanted, e);
                close();
            }
        }

        private void close() {
            try {
                handle.close();
            } catch (Exception e) {
                log.debug("event=close_failed handle={}", handle, e);
            }
        }

        @Override
        public boolean isValid() {
            return !cancelled && delegate.isValid();
        }

        /**
         * Netty cancels a channel's registration from its close, just before it closes the fd, and as the fd is still
         * open it first removes it from the epoll set ({@code EPOLL_CTL_DEL}). Closing the fd here instead removes it
         * from the epoll set by itself: one system call less per channel, and Netty's own close of the fd then does
         * nothing. This relies on two things Junction keeps: it deregisters a channel only by closing it, and it never
         * sets SO_LINGER above 0 (Netty closes such a socket on another thread, because its close(2) blocks).
         */
        @Override
        public boolean cancel() {
            cancelled = true;
            pending = NONE;
            if (batch.batching && handle instanceof EpollIoHandle epoll) {
                try {
                    epoll.fd().close();
                } catch (IOException e) {
                    log.debug("event=close_failed handle={}", handle, e);
                }
            }
            return delegate.cancel();
        }
    }
}
