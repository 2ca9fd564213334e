package io.junction.reliability.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A canary listener for the open-relay checks: listens on each {@code IP:PORT} given and prints one line
 * {@code accept LOCAL FROM} per connection, then closes it. Started inside a test namespace at addresses the agent
 * must never connect to. Usage: {@code CanaryMain IP:PORT...}.
 */
public final class CanaryMain {
    private CanaryMain() {
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            int colon = a.lastIndexOf(':');
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))), 128);
            Thread t = new Thread(() -> accept(server, a), "canary-" + a);
            t.start();
        }
        System.out.println("canary listening on " + String.join(" ", args));
    }

    private static void accept(ServerSocket server, String local) {
        while (true) {
            try (Socket s = server.accept()) {
                synchronized (System.out) {
                    System.out.println("accept " + local + " " + s.getRemoteSocketAddress());
                    System.out.flush();
                }
            } catch (IOException e) {
                return;
            }
        }
    }
}
