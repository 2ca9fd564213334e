package io.junction.core.forward;

import io.netty.channel.IoHandler;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ForwardingIoHandler} must override every method of Netty's {@link IoHandler}, the default ones included: a
 * method Netty adds (or turns from abstract into default) in an upgrade would otherwise run Netty's default on the
 * wrapper instead of reaching the wrapped epoll, io_uring or NIO handler, and nothing else would notice.
 */
class ForwardingIoHandlerTest {

    /** IoHandler's instance methods, abstract and default; static helpers are not the handler's to forward. */
    private static List<Method> ioHandlerMethods() {
        List<Method> methods = new ArrayList<>();
        for (Method m : IoHandler.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers())) {
                methods.add(m);
            }
        }
        return methods;
    }

    @Test
    void overridesEveryIoHandlerMethod() {
        List<Method> methods = ioHandlerMethods();
        assertThat(methods).as("IoHandler's methods").isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (Method m : methods) {
            try {
                Method own = ForwardingIoHandler.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (Modifier.isAbstract(own.getModifiers())) {
                    missing.add(m + " (abstract)");
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toString());
            }
        }
        assertThat(missing)
                .as("IoHandler methods ForwardingIoHandler does not override (Netty's IoHandler changed: forward each "
                        + "to the delegate)")
                .isEmpty();
    }

    @Test
    void everyIoHandlerMethodReachesTheDelegate() throws Exception {
        List<String> calls = new ArrayList<>();
        IoHandler delegate = (IoHandler) Proxy.newProxyInstance(IoHandler.class.getClassLoader(),
                new Class<?>[] {IoHandler.class}, (proxy, method, args) -> {
                    calls.add(signature(method));
                    return zero(method.getReturnType());
                });
        IoHandler forwarding = new ForwardingIoHandler(delegate) {
        };
        for (Method m : ioHandlerMethods()) {
            calls.clear();
            Object[] args = Arrays.stream(m.getParameterTypes()).map(ForwardingIoHandlerTest::zero).toArray();
            try {
                m.invoke(forwarding, args);
            } catch (InvocationTargetException e) {
                throw new AssertionError(signature(m) + " threw instead of forwarding", e.getCause());
            }
            assertThat(calls).as("calls reaching the delegate from " + signature(m)).containsExactly(signature(m));
        }
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.toString(m.getParameterTypes());
    }

    /** The zero value of {@code type}: null for references (and void), 0 or false for primitives. */
    private static Object zero(Class<?> type) {
        return type.isPrimitive() && type != void.class ? Array.get(Array.newInstance(type, 1), 0) : null;
    }
}
