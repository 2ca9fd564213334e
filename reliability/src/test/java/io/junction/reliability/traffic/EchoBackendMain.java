package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A backend in its own JVM, so a scenario can {@code kill -9} it: on 127.0.0.1:PORT it greets each connection with
 * one byte, its id, then echoes every byte until the client's FIN. One thread per connection (scenarios open at most
 * a few hundred). Usage: {@code EchoBackendMain PORT ID}.
 */
public final class EchoBackendMain {
    private EchoBackendMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int id = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            System.out.println("backend " + id + " listening on " + port);
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s, id), "echo-" + id);
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket s, int id) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write(id);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
            s.shutdownOutput();
        } catch (IOException e) {
            // the client went away; nothing to clean beyond the socket
        }
    }
}
