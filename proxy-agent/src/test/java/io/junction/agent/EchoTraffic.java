package io.junction.agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One echo connection after another to a listener, 20 ms apart, on its own thread, counting successes and failures
 * (the first failure kept), until closed. Bounded: at most 10 minutes whatever happens. Test-only.
 */
final class EchoTraffic implements AutoCloseable {
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    EchoTraffic(int port, String name) {
        thread = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            for (int i = 0; running.get() && System.nanoTime() < end; i++) {
                String message = "t" + i;
                try {
                    String reply = AgentFixture.echoOnce(port, message);
                    if (message.equals(reply)) {
                        ok.incrementAndGet();
                    } else {
                        fail(message + " echoed as " + reply);
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    fail(message + ": " + e);
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void fail(String what) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, what);
    }

    int ok() {
        return ok.get();
    }

    int failed() {
        return failed.get();
    }

    /** The first failed connection, or null. */
    String firstFailure() {
        return firstFailure.get();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
