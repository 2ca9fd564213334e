package io.junction.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * POSIX signal hooks. SIGTERM and SIGINT trigger a graceful stop that exits 0 (a JVM shutdown hook alone would exit
 * 143); SIGHUP reloads the config file. Uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which
 * every JDK 17 ships; when a signal cannot be handled the JVM default stays in force and this logs why.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void onTerminate(Runnable action) {
        handle("TERM", action);
        handle("INT", action);
    }

    static void onHangup(Runnable action) {
        handle("HUP", action);
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), sig -> {
                log.info("signal=SIG{}", name);
                action.run();
            });
        } catch (IllegalArgumentException e) {
            log.warn("signal=SIG{} handler=unavailable reason=\"{}\"", name, e.getMessage());
        }
    }
}
