package io.junction.agent.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP echo backend to start as a process inside a test's network namespace ({@code ip netns exec}): a test JVM
 * cannot move its own sockets into another namespace. Thread per connection; runs until killed. Test-only.
 */
public final class NamespaceEcho {
    private NamespaceEcho() {
    }

    /** {@code NamespaceEcho <ip> <port>}. */
    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(args[0]))) {
            System.out.println("echo listening on " + server.getLocalSocketAddress());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> echo(s), "echo");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The client went away.
        }
    }
}
