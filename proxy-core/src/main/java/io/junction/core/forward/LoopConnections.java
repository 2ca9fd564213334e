package io.junction.core.forward;

import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The live connections of one event loop: an intrusive doubly linked list (the links are fields of
 * {@link LiveConnection}), so adding and removing a connection is O(1), allocates nothing and needs no lock. Each
 * event-loop thread has its own, found through a {@link FastThreadLocal} (an array index on Netty's threads).
 *
 * <p>Event-loop confined: only the thread it belongs to touches it.
 */
final class LoopConnections {
    private static final FastThreadLocal<LoopConnections> CURRENT = new FastThreadLocal<>() {
        @Override
        protected LoopConnections initialValue() {
            return new LoopConnections();
        }
    };

    private LiveConnection head;
    private int size;

    /** The calling thread's set. */
    static LoopConnections current() {
        return CURRENT.get();
    }

    void add(LiveConnection c) {
        if (c.linked) {
            throw new IllegalStateException("connection: " + c + " (expected: not registered yet)");
        }
        c.linked = true;
        c.previous = null;
        c.next = head;
        if (head != null) {
            head.previous = c;
        }
        head = c;
        size++;
    }

    void remove(LiveConnection c) {
        if (!c.linked) {
            return;
        }
        if (c.previous != null) {
            c.previous.next = c.next;
        } else {
            head = c.next;
        }
        if (c.next != null) {
            c.next.previous = c.previous;
        }
        c.previous = null;
        c.next = null;
        c.linked = false;
        size--;
    }

    int size() {
        return size;
    }

    /**
     * The connections {@code filter} accepts, copied out first: closing one may unlink it (and others) while the
     * caller works through the list. Drains and shutdowns are rare, so the copy costs nothing that matters.
     */
    List<LiveConnection> select(Predicate<LiveConnection> filter) {
        List<LiveConnection> out = new ArrayList<>();
        for (LiveConnection c = head; c != null; c = c.next) {
            if (filter.test(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
