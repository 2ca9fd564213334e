package io.junction.core.forward;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.state.ConnectionDrain;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Drains and closes live connections for the control plane. Connections are kept per event loop
 * ({@link LoopConnections}), so a request posts one task to each loop of the group, which closes the matching
 * connections it owns; nothing on the accept path is shared between loops.
 *
 * <p>Thread-safe.
 */
public final class ConnectionRegistry implements ConnectionDrain {
    private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final EventExecutorGroup loops;

    /** @param loops the event loops that own the connections (the worker group) */
    public ConnectionRegistry(EventExecutorGroup loops) {
        this.loops = loops;
    }

    @Override
    public void closeGracefully(Set<Backend> backends, FailureReason reason) {
        for (EventExecutor loop : loops) {
            run(loop, () -> {
                List<LiveConnection> matching = LoopConnections.current().select(c -> backends.contains(c.backend()));
                matching.forEach(c -> c.closeGracefully(reason));
                return matching.size();
            });
        }
    }

    @Override
    public CompletableFuture<Integer> closeAll() {
        List<CompletableFuture<Integer>> perLoop = new ArrayList<>();
        for (EventExecutor loop : loops) {
            perLoop.add(run(loop, () -> {
                List<LiveConnection> all = LoopConnections.current().select(c -> true);
                all.forEach(c -> c.closeGracefully(null));
                return all.size();
            }));
        }
        return CompletableFuture.allOf(perLoop.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> perLoop.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** The live connections to {@code backend}, gathered from every loop (diagnostics and tests). */
    public CompletableFuture<List<LiveConnection>> connectionsTo(Backend backend) {
        return gather(c -> c.backend() == backend ? c : null);
    }

    /** {@link LiveConnection#describe()} of every live connection to {@code backend}, taken on its loop. */
    public CompletableFuture<List<String>> describe(Backend backend) {
        return gather(c -> c.backend() == backend ? c.describe() : null);
    }

    /** What {@code view} makes of each live connection (null: skip it), gathered on every loop. */
    private <T> CompletableFuture<List<T>> gather(Function<LiveConnection, T> view) {
        List<CompletableFuture<List<T>>> perLoop = new ArrayList<>();
        for (EventExecutor loop : loops) {
            CompletableFuture<List<T>> found = new CompletableFuture<>();
            try {
                loop.execute(() -> {
                    List<T> out = new ArrayList<>();
                    for (LiveConnection c : LoopConnections.current().select(c -> true)) {
                        T t = view.apply(c);
                        if (t != null) {
                            out.add(t);
                        }
                    }
                    found.complete(out);
                });
            } catch (RejectedExecutionException e) {
                found.complete(List.of());
            }
            perLoop.add(found);
        }
        return CompletableFuture.allOf(perLoop.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
            List<T> all = new ArrayList<>();
            perLoop.forEach(f -> all.addAll(f.join()));
            return all;
        });
    }

    private static CompletableFuture<Integer> run(EventExecutor loop, Supplier<Integer> task) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    result.complete(task.get());
                } catch (RuntimeException e) {
                    log.warn("event=close_connections_failed loop={}", loop, e);
                    result.complete(0);
                }
            });
        } catch (RejectedExecutionException e) {
            // The loop is shut down already, and its connections with it.
            result.complete(0);
        }
        return result;
    }
}
