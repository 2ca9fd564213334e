package io.junction.reliability.traffic;

import io.junction.core.testing.TcpEchoServer;

/**
 * proxy-core's Netty {@link TcpEchoServer} in its own JVM, for scenarios whose backend lives in a network namespace
 * and holds thousands of connections (one event loop, not a thread per connection). Binds 127.0.0.1 on an ephemeral
 * port, prints {@code listening PORT}, and serves until killed or for at most 30 minutes. Usage:
 * {@code EchoServerMain}.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (TcpEchoServer server = new TcpEchoServer()) {
            System.out.println("listening " + server.address().getPort());
            System.out.flush();
            Thread.sleep(30L * 60 * 1000);
        }
    }
}
