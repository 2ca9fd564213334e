package io.junction.agent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal hooks. SIGTERM and SIGINT trigger a graceful stop that exits 0 (a JVM shutdown hook alone would exit
 * 143); SIGHUP reloads the config file. Uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which
 * every JDK 17 ships; when a signal cannot be handled the JVM default stays in force and this logs why.
 *
 * <p>{@code sun.misc.Signal} is reached by reflection: Java has no public signal API, and javac warns about every
 * direct use of an internal proprietary API with a warning that {@code @SuppressWarnings} cannot silence, while the
 * build compiles main code with {@code -Werror}. Reflection also turns a runtime without {@code jdk.unsupported} (a
 * trimmed jlink image) into a logged warning instead of a {@link NoClassDefFoundError}.
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
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object signal = signalType.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return objectMethod(proxy, method, args, name);
                        }
                        // SignalHandler.handle(Signal), on the JVM's signal dispatcher thread
                        log.info("signal=SIG{}", name);
                        action.run();
                        return null;
                    });
            Object previous = signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
            // SIGINT is ignored in every job a shell starts in the background, and Ctrl-C is not how a daemon stops.
            if (!name.equals("INT") && previous == handlerType.getField("SIG_IGN").get(null)) {
                // A process started with the signal ignored (nohup, or a parent that ignores it) keeps it ignored:
                // the JVM does not take over such a signal, so the handler never runs. Say so, or a reload that does
                // nothing would look like a reload that found nothing to change.
                log.warn("signal=SIG{} handler=ignored reason=\"the process was started with SIG{} ignored (nohup?); "
                        + "the JVM leaves it ignored\"", name, name);
            }
        } catch (InvocationTargetException e) {
            // Signal's constructor or handle() refused: unknown on this OS, or reserved by the JVM.
            log.warn("signal=SIG{} handler=unavailable reason=\"{}\"", name, e.getCause().getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            log.warn("signal=SIG{} handler=unavailable reason=\"sun.misc.Signal unavailable: {}\"", name, e.toString());
        }
    }

    /** equals, hashCode and toString of the handler proxy: identity semantics, as a lambda handler would have. */
    private static Object objectMethod(Object proxy, Method method, Object[] args, String name) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "SIG" + name + " handler";
        };
    }
}
